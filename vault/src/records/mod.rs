//! The record layer: registered documents, their registration numbers and dates, version
//! chains, retention and holds (DESIGN.md §1).
