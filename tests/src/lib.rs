//! Workspace test crate: see tests/.
