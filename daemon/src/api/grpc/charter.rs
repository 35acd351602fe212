//! [`CharterService`]: `orchestrator.v1.Charter` — show, validate and reload the charter,
//! decide hook calls (`Hook`, which may wait for an approval), list the audit, list and answer
//! approvals. Translation only: the work is in `crate::charter`. `Validate` and `Reload` check
//! the file on a thread of their own (`charter::off_runtime`), so a big file never stalls the
//! runtime that answers every other call.

use std::path::PathBuf;
use std::sync::Arc;

use orchestrator_api::v1;
use orchestrator_api::v1::charter_server::Charter;
use tonic::{Code, Request, Response, Status};

use super::convert::{approval_to_proto, unix_ms};
use super::errors::{
    approval_status, charter_status, hook_status, internal, reasons, refusal, store_status,
};
use crate::charter::active::ActiveCharter;
use crate::charter::approvals::ApprovalAnswer;
use crate::charter::off_runtime::off_runtime;
use crate::core::Core;
use crate::enforcement::ask::answer_approval;
use crate::enforcement::hooks::handle_hook;
use crate::store::AuditRecord;
use orchestrator_charter::report::{FileReport, ReportFinding, check_file};

/// How many audit records one call returns at most.
const MAX_AUDIT: u32 = 10_000;

/// `orchestrator.v1.Charter` over the core.
#[derive(Debug, Clone)]
pub struct CharterService {
    core: Arc<Core>,
}

impl CharterService {
    /// A service deciding with `core`'s charter.
    pub fn new(core: Arc<Core>) -> Self {
        Self { core }
    }
}

fn finding_to_proto(f: &ReportFinding) -> v1::CharterFinding {
    v1::CharterFinding {
        severity: f.severity.to_owned(),
        code: f.code.clone(),
        message: f.message.clone(),
        field: f.field.clone(),
        line: f.line,
        column: f.column,
    }
}

/// The wire form of the charter in force.
pub fn info_to_proto(active: &ActiveCharter) -> v1::CharterInfo {
    v1::CharterInfo {
        source: active
            .source
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        defaults_reason: active.defaults_reason.clone().unwrap_or_default(),
        charter_json: serde_json::to_string_pretty(&active.charter).unwrap_or_default(),
        findings: active
            .findings
            .iter()
            .map(|f| finding_to_proto(&ReportFinding::from(f)))
            .collect(),
        loaded_unix_ms: unix_ms(active.loaded_at),
    }
}

fn audit_to_proto(r: AuditRecord) -> v1::AuditEntry {
    v1::AuditEntry {
        unix_ms: unix_ms(r.at),
        session_id: r.session_id,
        event: r.event,
        tool: r.tool,
        input_summary: r.input_summary,
        decision: r.decision,
        rule: r.rule,
        reason: r.reason,
        approved_by: r.approved_by,
    }
}

fn report_to_proto(report: FileReport) -> v1::ValidateCharterResponse {
    v1::ValidateCharterResponse {
        findings: report.findings.iter().map(finding_to_proto).collect(),
        source: report.source,
        valid: report.valid,
    }
}

#[tonic::async_trait]
impl Charter for CharterService {
    async fn show(
        &self,
        _request: Request<v1::ShowCharterRequest>,
    ) -> Result<Response<v1::CharterInfo>, Status> {
        Ok(Response::new(info_to_proto(&self.core.charter())))
    }

    async fn validate(
        &self,
        request: Request<v1::ValidateCharterRequest>,
    ) -> Result<Response<v1::ValidateCharterResponse>, Status> {
        let path = request.into_inner().path;
        let max_bytes = self.core.config().charter_max_bytes;
        let path = if path.is_empty() {
            match self.core.charter_holder() {
                Some(holder) => holder.path().to_path_buf(),
                None => self.core.config().charter_path().0,
            }
        } else {
            PathBuf::from(path)
        };
        if !path.is_absolute() {
            return Err(refusal(
                Code::InvalidArgument,
                reasons::REQUEST_INVALID,
                format!(
                    "the charter path {} is not absolute; the daemon's directory is not yours",
                    path.display()
                ),
                None,
            ));
        }
        let report = off_runtime("charter-validate", move || check_file(&path, max_bytes))
            .await
            .map_err(|err| internal(crate::error_chain(&err)))?;
        Ok(Response::new(report_to_proto(report)))
    }

    async fn reload(
        &self,
        _request: Request<v1::ReloadCharterRequest>,
    ) -> Result<Response<v1::CharterInfo>, Status> {
        match self.core.reload_charter().await {
            Ok(active) => {
                tracing::info!(
                    charter = %active.source.as_deref().map(|p| p.display().to_string()).unwrap_or_default(),
                    "charter reloaded over gRPC"
                );
                Ok(Response::new(info_to_proto(&active)))
            }
            Err(err) => {
                tracing::error!(error = %crate::error_chain(&err), "charter not reloaded; the previous charter stays");
                Err(charter_status(&err))
            }
        }
    }

    async fn hook(
        &self,
        request: Request<v1::HookRequest>,
    ) -> Result<Response<v1::HookResponse>, Status> {
        let request = request.into_inner();
        let outcome = handle_hook(
            &self.core,
            &request.session_id,
            &request.event,
            &request.input_json,
        )
        .await
        .map_err(|err| hook_status(&err))?;
        Ok(Response::new(v1::HookResponse {
            output_json: outcome.output.to_string(),
            decision: outcome.decision.to_owned(),
            reason: outcome.reason,
            rule: outcome.rule,
        }))
    }

    async fn list_audit(
        &self,
        request: Request<v1::ListAuditRequest>,
    ) -> Result<Response<v1::ListAuditResponse>, Status> {
        let request = request.into_inner();
        let limit = match request.limit {
            0 => 1000,
            n => n.min(MAX_AUDIT),
        };
        let session = Some(request.session_id).filter(|s| !s.is_empty());
        let core = self.core.clone();
        let records = tokio::task::spawn_blocking(move || match core.store() {
            Some(store) => store.audit(session.as_deref(), limit),
            None => Ok(Vec::new()),
        })
        .await
        .map_err(|err| internal(format!("audit read failed: {err}")))?
        .map_err(|err| store_status(&err))?;
        Ok(Response::new(v1::ListAuditResponse {
            entries: records.into_iter().map(audit_to_proto).collect(),
        }))
    }

    async fn list_approvals(
        &self,
        _request: Request<v1::ListApprovalsRequest>,
    ) -> Result<Response<v1::ListApprovalsResponse>, Status> {
        Ok(Response::new(v1::ListApprovalsResponse {
            approvals: self
                .core
                .approvals()
                .list()
                .iter()
                .map(approval_to_proto)
                .collect(),
        }))
    }

    async fn answer(
        &self,
        request: Request<v1::AnswerApprovalRequest>,
    ) -> Result<Response<v1::Approval>, Status> {
        let request = request.into_inner();
        let by = if request.answered_by.trim().is_empty() {
            "grpc".to_owned()
        } else {
            request.answered_by
        };
        let answer = ApprovalAnswer {
            approve: request.approve,
            by,
            reason: Some(request.reason).filter(|r| !r.trim().is_empty()),
            text: Some(request.answer).filter(|a| !a.trim().is_empty()),
        };
        let resolved = answer_approval(&self.core, &request.id, answer)
            .await
            .map_err(|err| approval_status(&err))?;
        Ok(Response::new(approval_to_proto(&resolved)))
    }
}
