//! Who a representation is for, and so what it shows of auditors' reads and of legal holds.

/// Who a document or a refusal is shown to. Auditors' reads and why a document is held are
/// the business of those who audit and administer the vault: a reader or writer (an
/// integrated system, the party a hold may concern) learns that a hold is in force, its
/// number and its date, but not its reason or who placed it, and sees no auditor's read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Audience {
    /// Auditors, admins, and the operator at the command line: everything.
    Full,
    /// Readers and writers: no `auditor-read` events, holds without reason or placer.
    Restricted,
}

impl Audience {
    /// Whether auditors' reads and the reasons and placers of holds are shown.
    pub(crate) fn sees_audit(self) -> bool {
        self == Self::Full
    }
}
