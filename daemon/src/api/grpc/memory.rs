//! [`MemoryService`]: `orchestrator.v1.Memory` over the daemon's memory store — add, search,
//! list, forget, stats, export and import. Requests are checked by `memory::requests` (the
//! WebSocket door uses the same checks); errors become codes in [`super::errors`].

use std::sync::Arc;

use orchestrator_api::v1;
use orchestrator_api::v1::memory_server::Memory;
use tonic::{Request, Response, Status};

use super::errors::memory_status_for;
use crate::core::Core;
use crate::core::memory::with_store;
use orchestrator_memory::{Entry, MemoryError, requests};

/// `orchestrator.v1.Memory` over the core's memory.
#[derive(Debug, Clone)]
pub struct MemoryService {
    core: Arc<Core>,
}

impl MemoryService {
    /// The service.
    pub fn new(core: Arc<Core>) -> Self {
        Self { core }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&orchestrator_memory::MemoryStore) -> Result<T, MemoryError> + Send + 'static,
    ) -> Result<T, Status> {
        with_store(&self.core, work)
            .await
            .map_err(|err| memory_status_for(&err))
    }
}

/// The wire form of an entry.
pub fn entry_to_proto(entry: &Entry) -> v1::MemoryEntry {
    v1::MemoryEntry {
        id: entry.id.clone(),
        tier: entry.tier.as_str().to_owned(),
        content: entry.content.clone(),
        r#type: entry.entry_type.as_str().to_owned(),
        timestamp_ms: entry.timestamp,
        metadata_json: serde_json::Value::Object(entry.metadata.clone()).to_string(),
        session_id: entry.session_id.clone().unwrap_or_default(),
    }
}

fn invalid(err: MemoryError) -> Status {
    memory_status_for(&err)
}

#[tonic::async_trait]
impl Memory for MemoryService {
    async fn add(
        &self,
        request: Request<v1::AddMemoryRequest>,
    ) -> Result<Response<v1::MemoryEntry>, Status> {
        let r = request.into_inner();
        let tier = requests::parse_add_tier(&r.tier).map_err(invalid)?;
        let metadata = requests::parse_metadata(&r.metadata_json).map_err(invalid)?;
        let entry = requests::new_entry(tier, r.content, &r.r#type, metadata, Some(r.session_id))
            .map_err(invalid)?;
        let added = self.run(move |store| store.add(tier, entry)).await?;
        Ok(Response::new(entry_to_proto(&added)))
    }

    async fn search(
        &self,
        request: Request<v1::SearchMemoryRequest>,
    ) -> Result<Response<v1::SearchMemoryResponse>, Status> {
        let r = request.into_inner();
        let tier = requests::parse_tier(&r.tier).map_err(invalid)?;
        let limit = requests::parse_limit(u64::from(r.limit)).map_err(invalid)?;
        requests::check_query(&r.query).map_err(invalid)?;
        let hits = self
            .run(move |store| store.retrieve(&r.query, tier, limit))
            .await?;
        Ok(Response::new(v1::SearchMemoryResponse {
            results: hits
                .iter()
                .map(|hit| v1::ScoredMemory {
                    entry: Some(entry_to_proto(&hit.entry)),
                    score: hit.score,
                })
                .collect(),
        }))
    }

    async fn list(
        &self,
        request: Request<v1::ListMemoryRequest>,
    ) -> Result<Response<v1::ListMemoryResponse>, Status> {
        let r = request.into_inner();
        let tier = requests::parse_tier(&r.tier).map_err(invalid)?;
        let limit = requests::parse_limit(u64::from(r.limit)).map_err(invalid)?;
        // An empty query is "the newest entries".
        let hits = self
            .run(move |store| store.retrieve("", tier, limit))
            .await?;
        Ok(Response::new(v1::ListMemoryResponse {
            entries: hits.iter().map(|hit| entry_to_proto(&hit.entry)).collect(),
        }))
    }

    async fn forget(
        &self,
        request: Request<v1::ForgetMemoryRequest>,
    ) -> Result<Response<v1::ForgetMemoryResponse>, Status> {
        let given = request.into_inner().id;
        let id = self.run(move |store| store.forget_named(&given)).await?;
        Ok(Response::new(v1::ForgetMemoryResponse { id }))
    }

    async fn stats(
        &self,
        _request: Request<v1::MemoryStatsRequest>,
    ) -> Result<Response<v1::MemoryStatsResponse>, Status> {
        let stats = self.run(|store| store.stats()).await?;
        Ok(Response::new(v1::MemoryStatsResponse {
            episodic: stats.episodic,
            semantic: stats.semantic,
            scratchpad_keys: stats.scratchpad_keys,
            bytes: stats.bytes,
        }))
    }

    async fn export(
        &self,
        _request: Request<v1::ExportMemoryRequest>,
    ) -> Result<Response<v1::ExportMemoryResponse>, Status> {
        let document = self.run(|store| store.export()).await?;
        Ok(Response::new(v1::ExportMemoryResponse {
            document_json: document.to_string(),
        }))
    }

    async fn import(
        &self,
        request: Request<v1::ImportMemoryRequest>,
    ) -> Result<Response<v1::ImportMemoryResponse>, Status> {
        let text = request.into_inner().document_json;
        let document: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            invalid(MemoryError::InvalidImport(format!(
                "the document is not JSON: {e}"
            )))
        })?;
        let imported = self.run(move |store| store.import(&document)).await?;
        Ok(Response::new(v1::ImportMemoryResponse {
            imported: imported as u64,
        }))
    }
}
