//! A spec as it arrives: any JS value, read with serde field by field, never failing, so the
//! checker can say what it got where it expected something else.

use serde::{de, Deserialize};

use crate::error::Error;

/// One field as the caller gave it, before checking.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum RawValue {
    #[default]
    Missing,
    Number(f64),
    Text(String),
    List(Vec<RawValue>),
    /// Anything else, by its JavaScript type name (`"boolean"`, `"object"`, `"null"`...).
    Other(String),
}

/// A run request as it arrives, field by field (the wasm layer fills it from a JS object).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawSpec {
    pub fields: Vec<(String, RawValue)>,
}

/// Whatever a caller passed as a spec: an object's fields in order, or the kind of value it was
/// instead (read with serde from JS values; `null` and `undefined` both mean "not given").
#[derive(Clone, Debug, PartialEq)]
pub enum RawInput {
    Object(RawSpec),
    Other(&'static str),
}

impl RawSpec {
    pub fn with(mut self, field: &str, value: RawValue) -> Self {
        self.fields.push((field.to_owned(), value));
        self
    }

    /// The field as given, or [`RawValue::Missing`].
    pub fn get(&self, field: &str) -> &RawValue {
        self.fields
            .iter()
            .find(|(name, _)| name == field)
            .map_or(&RawValue::Missing, |(_, v)| v)
    }
}

impl RawInput {
    /// The fields of what was given as `what` (`spec`, serve's `options`), or an error naming
    /// `what` that shows an `example` of one.
    ///
    /// # Errors
    /// [`Error::Field`] on `what` when the value was not an object.
    pub fn into_raw(self, what: &str, example: &str) -> Result<RawSpec, Error> {
        match self {
            RawInput::Object(raw) => Ok(raw),
            RawInput::Other(kind) => Err(Error::field(
                what,
                format!("must be an object such as {example}, got {kind}"),
            )),
        }
    }
}

/// Reads any value, never failing: what is not an object or a field's expected shape is kept
/// as its kind, so `normalize` can say what it got.
struct Anything<T>(std::marker::PhantomData<T>);

impl<'de> de::Visitor<'de> for Anything<RawValue> {
    type Value = RawValue;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any value")
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Missing)
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Missing)
    }
    fn visit_bool<E>(self, _: bool) -> Result<RawValue, E> {
        Ok(RawValue::Other("boolean".into()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawValue, E> {
        Ok(RawValue::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawValue, E> {
        Ok(RawValue::Number(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::Text(v.to_owned()))
    }
    fn visit_bytes<E>(self, _: &[u8]) -> Result<RawValue, E> {
        Ok(RawValue::Other("object".into()))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<RawValue>()? {
            items.push(item);
        }
        Ok(RawValue::List(items))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(RawValue::Other("object".into()))
    }
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Anything::<RawValue>(std::marker::PhantomData))
    }
}

impl<'de> de::Visitor<'de> for Anything<RawInput> {
    type Value = RawInput;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a spec object")
    }
    fn visit_unit<E>(self) -> Result<RawInput, E> {
        Ok(RawInput::Other("null"))
    }
    fn visit_none<E>(self) -> Result<RawInput, E> {
        Ok(RawInput::Other("null"))
    }
    fn visit_bool<E>(self, _: bool) -> Result<RawInput, E> {
        Ok(RawInput::Other("boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<RawInput, E> {
        Ok(RawInput::Other("number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<RawInput, E> {
        Ok(RawInput::Other("number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<RawInput, E> {
        Ok(RawInput::Other("number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<RawInput, E> {
        Ok(RawInput::Other("string"))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawInput, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(RawInput::Other("array"))
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<RawInput, A::Error> {
        let mut raw = RawSpec::default();
        while let Some((name, value)) = map.next_entry::<String, RawValue>()? {
            raw = raw.with(&name, value);
        }
        Ok(RawInput::Object(raw))
    }
}

impl<'de> Deserialize<'de> for RawInput {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(Anything::<RawInput>(std::marker::PhantomData))
    }
}
