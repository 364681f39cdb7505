//! Partial-update helpers: a PATCH field can be absent (keep), `null` (clear) or a value (set).

use serde::{Deserialize, Deserializer};

/// Deserializes a field that distinguishes "absent" (`None`) from "null" (`Some(None)`).
///
/// Use with `#[serde(default, deserialize_with = "crate::patch::double_option")]`.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}
