//! JSON read strictly: a key given twice, at any depth, is an error
//! (serde_json keeps the last one, so `{"taxis":5,"taxis":3}` would pass
//! unnoticed). Logs and scenario files are read this way.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// Parses `text` as one JSON value, refusing duplicate keys.
pub fn from_str(text: &str) -> Result<serde_json::Value, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = strict_value(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// A JSON value that refuses duplicate keys at any depth: serde_json's own
/// keeps the last, so `{"taxis":5,"taxis":3}` would pass unnoticed.
pub fn strict_value<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<serde_json::Value, D::Error> {
    StrictValue::deserialize(deserializer).map(|value| value.0)
}

/// A JSON value read by [`strict_value`]'s rules.
pub struct StrictValue(pub serde_json::Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct StrictVisitor;
        impl<'de> Visitor<'de> for StrictVisitor {
            type Value = StrictValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_bool<E>(self, value: bool) -> Result<StrictValue, E> {
                Ok(StrictValue(value.into()))
            }
            fn visit_i64<E>(self, value: i64) -> Result<StrictValue, E> {
                Ok(StrictValue(value.into()))
            }
            fn visit_u64<E>(self, value: u64) -> Result<StrictValue, E> {
                Ok(StrictValue(value.into()))
            }
            fn visit_f64<E>(self, value: f64) -> Result<StrictValue, E> {
                Ok(StrictValue(serde_json::Number::from_f64(value).map_or(
                    serde_json::Value::Null,
                    serde_json::Value::Number,
                )))
            }
            fn visit_str<E>(self, value: &str) -> Result<StrictValue, E> {
                Ok(StrictValue(value.into()))
            }
            fn visit_string<E>(self, value: String) -> Result<StrictValue, E> {
                Ok(StrictValue(value.into()))
            }
            fn visit_unit<E>(self) -> Result<StrictValue, E> {
                Ok(StrictValue(serde_json::Value::Null))
            }
            fn visit_none<E>(self) -> Result<StrictValue, E> {
                Ok(StrictValue(serde_json::Value::Null))
            }
            fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<StrictValue, S::Error> {
                let mut items = Vec::new();
                while let Some(StrictValue(item)) = seq.next_element()? {
                    items.push(item);
                }
                Ok(StrictValue(items.into()))
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<StrictValue, M::Error> {
                let mut fields = serde_json::Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    if fields.contains_key(&key) {
                        return Err(de::Error::custom(format!(
                            "duplicate key `{}`",
                            crate::stdio::printable(&key)
                        )));
                    }
                    let StrictValue(value) = map.next_value()?;
                    fields.insert(key, value);
                }
                Ok(StrictValue(fields.into()))
            }
        }
        deserializer.deserialize_any(StrictVisitor)
    }
}
