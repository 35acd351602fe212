//! Memory's health (`impl MemoryStore`): every read and write goes through [`MemoryStore`]'s
//! observer, which turns an error caused by the database file or its disk into
//! [`MemoryError::Storage`] (with the fault and its remedy) and keeps the last such fault of
//! reads and of writes until one succeeds again; `status` shows memory `degraded` meanwhile.

use rusqlite::Connection;

use super::rows::WriterState;
use super::{MemoryError, MemoryStore};
use orchestrator_sqlite::FaultCell;

impl MemoryStore {
    /// Why reads or writes are failing, while they are.
    pub fn health(&self) -> Option<String> {
        self.write_fault
            .current()
            .or_else(|| self.read_fault.current())
    }

    /// Notes how an operation went in `cell`: a storage fault degrades memory, a success
    /// ends the fault.
    pub(super) fn observe<T>(
        &self,
        cell: &FaultCell,
        what: &'static str,
        result: Result<T, MemoryError>,
    ) -> Result<T, MemoryError> {
        match result {
            Ok(value) => {
                cell.recover("memory");
                Ok(value)
            }
            Err(err) => match err.storage_fault(&self.path) {
                Some(fault) => {
                    let err = MemoryError::Storage {
                        operation: what,
                        path: self.path.clone(),
                        fault,
                        source: Box::new(err),
                    };
                    cell.fail("memory", err.to_string());
                    Err(err)
                }
                None => Err(err),
            },
        }
    }

    /// Runs `work` on the writer and waits for its commit, noting the outcome.
    pub(super) fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Connection, &mut WriterState) -> Result<T, MemoryError> + Send + 'static,
    ) -> Result<T, MemoryError> {
        let result = self.writer.run(work);
        self.observe(&self.write_fault, "writes", result)
    }
}
