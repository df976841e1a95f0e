//! Group commit of the read and refusal entries of the audit log.
//!
//! Every read of personal data appends an entry to the hash chain before the data is shown, and
//! the chain has one head: appends are serialised (SQLite's write lock; PostgreSQL's
//! `FOR UPDATE` on the head), and each costs a durable commit. One commit per request caps a
//! busy server at the disk's commit rate, with the requests queueing behind it. Instead, one
//! task per server appends whatever entries have arrived while the previous commit ran, in one
//! transaction, and answers each request only after that commit: the promise stays the same —
//! a request's entries are durable before its data is shown — and the chain is unchanged (the
//! entries of one batch are chained in arrival order).
//!
//! A batch that fails is retried request by request, so one request's error (say, a corrupt
//! head) is reported to that request and not shared out to others.

use tokio::sync::{mpsc, oneshot};
use tvaers_store::{AnyStore, AuditEntry, Store, StoreError};

/// The most requests one commit takes (bounded so one huge queue does not make one huge
/// transaction).
const MAX_BATCH: usize = 512;

type Reply = oneshot::Sender<Result<Vec<i64>, StoreError>>;

/// The sending side; cheap to clone. The task ends when the last sender is dropped.
#[derive(Clone)]
pub(crate) struct GroupCommit {
    tx: mpsc::UnboundedSender<(Vec<AuditEntry>, Reply)>,
}

impl GroupCommit {
    /// Starts the task on the current tokio runtime.
    pub(crate) fn start(store: AnyStore) -> GroupCommit {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(store, rx));
        GroupCommit { tx }
    }

    /// Appends `entries` (in one batch with whatever else is waiting) and returns their
    /// sequence numbers once committed.
    pub(crate) async fn append(
        &self,
        store: &AnyStore,
        entries: Vec<AuditEntry>,
    ) -> Result<Vec<i64>, StoreError> {
        if entries.is_empty() {
            return Ok(vec![]);
        }
        let (reply, answer) = oneshot::channel();
        match self.tx.send((entries, reply)) {
            Ok(()) => match answer.await {
                Ok(r) => r,
                // The task is gone (the runtime is shutting down): nothing was committed for
                // this request, so it may not go on; say so as a database error.
                Err(_) => Err(StoreError::Corrupt("the audit writer has stopped".into())),
            },
            // No task (it could not be started): append directly.
            Err(mpsc::error::SendError((entries, _))) => store.append_audit(&entries).await,
        }
    }
}

async fn run(store: AnyStore, mut rx: mpsc::UnboundedReceiver<(Vec<AuditEntry>, Reply)>) {
    let mut batch: Vec<(Vec<AuditEntry>, Reply)> = Vec::new();
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let all: Vec<AuditEntry> = batch.iter().flat_map(|(e, _)| e.iter().cloned()).collect();
        match store.append_audit(&all).await {
            Ok(seqs) => {
                let mut rest = seqs.as_slice();
                for (entries, reply) in batch.drain(..) {
                    let (mine, tail) = rest.split_at(entries.len());
                    rest = tail;
                    let _ = reply.send(Ok(mine.to_vec()));
                }
            }
            Err(_) => {
                // One at a time, so each request gets its own answer.
                for (entries, reply) in batch.drain(..) {
                    let _ = reply.send(store.append_audit(&entries).await);
                }
            }
        }
    }
}
