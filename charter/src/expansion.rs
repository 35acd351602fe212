//! [`ExpansionBudget`]: reads a YAML document into a `serde_yaml::Value` while counting what
//! its aliases expand to, and refuses it past a budget proportional to the file's size.
//!
//! serde_yaml stops only an alias bomb whose aliases are followed more than 100 times per
//! event of the file ("repetition limit exceeded"); one anchor holding a long list, aliased on
//! every line, passes that check and still costs the list's size per alias — a 100 KB file
//! became four million strings. A charter needs no such repetition, so every scalar costs its
//! length and every node [`NODE_COST`] bytes, and the whole document may cost at most
//! [`EXPANSION_FACTOR`] times the file plus [`EXPANSION_FLOOR`]. A file without aliases stays
//! far below that: its nodes cost at most as much as their text.
//!
//! A refusal is a serde error raised inside a node, so serde_yaml attaches that node's line
//! and column (inside the aliased anchor) and the path that reached it.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, Visitor};
use serde_yaml::value::{Tag, TaggedValue};
use serde_yaml::{Mapping, Value};

/// What one node costs beyond its text, so that empty nodes add up too.
pub const NODE_COST: usize = 4;
/// The budget in multiples of the file's size.
pub const EXPANSION_FACTOR: usize = 10;
/// Budget every file gets, so a small charter may use anchors freely.
pub const EXPANSION_FLOOR: usize = 64 * 1024;

/// The bytes a document read from `text` may still expand to.
#[derive(Debug)]
pub struct ExpansionBudget {
    left: usize,
    limit: usize,
}

impl ExpansionBudget {
    /// The budget for one file of `text_len` bytes (shared by all its documents).
    pub fn for_text(text_len: usize) -> Self {
        let limit = text_len
            .saturating_mul(EXPANSION_FACTOR)
            .saturating_add(EXPANSION_FLOOR);
        Self { left: limit, limit }
    }

    /// Reads one document, spending the budget.
    pub fn read<'de, D: Deserializer<'de>>(&mut self, document: D) -> Result<Value, D::Error> {
        Node { budget: self }.deserialize(document)
    }

    fn spend<E: de::Error>(&mut self, text_len: usize) -> Result<(), E> {
        match self.left.checked_sub(text_len.saturating_add(NODE_COST)) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(E::custom(format_args!(
                "aliases expand this document past {} bytes ({EXPANSION_FACTOR}× the file plus \
                 {} KiB): it looks like a YAML alias bomb; a charter needs no such repetition, \
                 write the entries out",
                self.limit,
                EXPANSION_FLOOR / 1024
            ))),
        }
    }
}

/// One node, read into a `Value` the way serde_yaml's own `Value` reads it.
struct Node<'b> {
    budget: &'b mut ExpansionBudget,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        self.budget.spend(0)?;
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        self.budget.spend(0)?;
        Ok(Value::Number(i.into()))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        self.budget.spend(0)?;
        Ok(Value::Number(u.into()))
    }

    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Value, E> {
        self.budget.spend(0)?;
        Ok(Value::Number(f.into()))
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        self.budget.spend(s.len())?;
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        self.budget.spend(s.len())?;
        Ok(Value::String(s))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.budget.spend(0)?;
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Value, A::Error> {
        self.budget.spend(0)?;
        let mut sequence = Vec::with_capacity(items.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = items.next_element_seed(Node {
            budget: &mut *self.budget,
        })? {
            sequence.push(item);
        }
        Ok(Value::Sequence(sequence))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut entries: A) -> Result<Value, A::Error> {
        self.budget.spend(0)?;
        let mut mapping = Mapping::new();
        while let Some(key) = entries.next_key_seed(Node {
            budget: &mut *self.budget,
        })? {
            if mapping.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate entry with key {}",
                    describe_key(&key)
                )));
            }
            let value = entries.next_value_seed(Node {
                budget: &mut *self.budget,
            })?;
            mapping.insert(key, value);
        }
        Ok(Value::Mapping(mapping))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A `!tag value` node, which serde_yaml presents as an enum variant.
        let (tag, contents): (String, _) = data.variant()?;
        let value = de::VariantAccess::newtype_variant_seed(
            contents,
            Node {
                budget: &mut *self.budget,
            },
        )?;
        Ok(Value::Tagged(Box::new(TaggedValue {
            tag: Tag::new(tag),
            value,
        })))
    }
}

/// How serde_yaml names a duplicate key, so our reader words the error the same way.
fn describe_key(key: &Value) -> String {
    match key {
        Value::Null => "null".to_owned(),
        Value::String(s) => format!("{s:?}"),
        other => serde_yaml::to_string(other)
            .map(|s| s.trim_end().to_owned())
            .unwrap_or_else(|_| "?".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    fn read(text: &str) -> Result<Value, serde_yaml::Error> {
        let mut budget = ExpansionBudget::for_text(text.len());
        budget.read(serde_yaml::Deserializer::from_str(text))
    }

    #[test]
    fn reads_what_serde_yaml_reads() {
        let text = "a: [1, -2, 3.5, true, ~, \"s\"]\nb: {x: !tag [y]}\nc: &c {d: e}\nf: *c\n";
        assert_eq!(
            read(text).unwrap(),
            Value::deserialize(serde_yaml::Deserializer::from_str(text)).unwrap()
        );
        let err = read("a: 1\na: 2\n").unwrap_err();
        assert!(
            err.to_string().contains("duplicate entry with key \"a\""),
            "{err}"
        );
    }

    #[test]
    fn one_long_list_aliased_on_every_line_is_refused_at_the_anchor() {
        let mut text = "list: &l\n".to_owned();
        for i in 0..2000 {
            text.push_str(&format!("  - entry {i} with a few words of padding\n"));
        }
        text.push_str("copies:\n");
        for _ in 0..2000 {
            text.push_str("  - *l\n");
        }
        let err = read(&text).unwrap_err();
        assert!(err.to_string().contains("YAML alias bomb"), "{err}");
        let at = err.location().expect("a location");
        assert!(at.line() >= 2 && at.line() <= 2001, "line {}", at.line());
        // The same lists written out are in budget: the refusal is about repetition.
        let plain = text.replace("  - *l\n", "  - x\n");
        assert!(read(&plain).is_ok());
    }
}
