//! What the memory tests share: [`store`] (a store in a temp dir with a manual clock) and
//! [`relevance`] (the labelled set of memories and queries).

pub mod relevance;
pub mod store;
