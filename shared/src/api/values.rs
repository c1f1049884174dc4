//! The value types every other `api` module is made of: closed sets of
//! values (enums that travel as snake-case strings and are stored as text),
//! typed ids, and parsed phone numbers and area codes.
//!
//! Each enum has one spelling, used on the wire, in the database and in the
//! dashboard. A stored value the enum does not know is an error when read,
//! never silently some default.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

/// A value that is not one of an enum's spellings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownValue {
    pub kind: &'static str,
    pub value: String,
}

impl fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} {:?}", self.kind, self.value)
    }
}

impl std::error::Error for UnknownValue {}

/// The server-side conversions of a value type: `ToSql`/`FromSql` through
/// its representation `$repr` (text or a UUID; an unparsable stored value is
/// an error), and its JSON Schema.
macro_rules! text_sql_and_schema {
    ($name:ident, $repr:ty, |$v:ident| $to:expr, |$raw:ident| $from:expr, $schema:expr) => {
        #[cfg(feature = "server")]
        impl tokio_postgres::types::ToSql for $name {
            fn to_sql(
                &self,
                ty: &tokio_postgres::types::Type,
                out: &mut bytes::BytesMut,
            ) -> Result<tokio_postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
            {
                let $v = self;
                let repr: $repr = $to;
                repr.to_sql(ty, out)
            }

            fn accepts(ty: &tokio_postgres::types::Type) -> bool {
                <$repr as tokio_postgres::types::ToSql>::accepts(ty)
            }

            tokio_postgres::types::to_sql_checked!();
        }

        #[cfg(feature = "server")]
        impl<'a> tokio_postgres::types::FromSql<'a> for $name {
            fn from_sql(
                ty: &tokio_postgres::types::Type,
                raw: &'a [u8],
            ) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
                let $raw = <$repr as tokio_postgres::types::FromSql>::from_sql(ty, raw)?;
                Ok($from?)
            }

            fn accepts(ty: &tokio_postgres::types::Type) -> bool {
                <$repr as tokio_postgres::types::FromSql>::accepts(ty)
            }
        }

        #[cfg(feature = "server")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                $schema
            }
        }
    };
}
pub(crate) use text_sql_and_schema;

/// A closed set of values: `Variant => "spelling"`. Gives serde, `as_str`,
/// `ALL`, `FromStr`, `Display`, and (on the server) `ToSql`/`FromSql` as text.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::api::UnknownValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::api::UnknownValue {
                        kind: stringify!($name),
                        value: other.to_string(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $crate::api::values::text_sql_and_schema!(
            $name,
            &str,
            |v| v.as_str(),
            |text| text.parse::<$name>(),
            {
                let values: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                schemars::json_schema!({ "type": "string", "enum": values })
            }
        );
    };
}
pub(crate) use text_enum;

/// A typed id: a UUID that knows what it names, so two ids of different
/// kinds cannot be swapped in a signature. Travels and is stored as the
/// bare UUID.
macro_rules! typed_id {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                $name(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        $crate::api::values::text_sql_and_schema!(
            $name,
            Uuid,
            |v| v.0,
            |uuid| Ok::<_, std::convert::Infallible>($name(uuid)),
            schemars::json_schema!({ "type": "string", "format": "uuid" })
        );
    )+};
}

typed_id! {
    /// An account (a business): the tenant every owner query is scoped to.
    AccountId,
    UserId,
    AgentId,
    /// One of our call rows (not Vapi's call id, which is text).
    CallId,
    /// A number of the pool.
    NumberId,
    /// A message a caller left.
    MessageId,
    PackId,
    PurchaseId,
}

/// A text value parsed once at the edge: `parse` is the only way in, and
/// the stored form travels as a plain string.
macro_rules! parsed_text {
    ($(#[$meta:meta])* $name:ident, $pattern:literal, $parse:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Parses user or provider input; the error is for the user.
            pub fn parse(raw: &str) -> Result<$name, String> {
                let parse: fn(&str) -> Result<String, String> = $parse;
                parse(raw).map($name)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $name::parse(&raw).map_err(serde::de::Error::custom)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        $crate::api::values::text_sql_and_schema!(
            $name,
            &str,
            |v| v.0.as_str(),
            |text| $name::parse(text),
            schemars::json_schema!({ "type": "string", "pattern": $pattern })
        );
    };
}

parsed_text!(
    /// A phone number in E.164: `+`, then 8 to 15 digits, the first not 0
    /// (surrounding spaces are trimmed, nothing else is forgiven).
    E164,
    "^\\+[1-9][0-9]{7,14}$",
    |raw| {
        let number = raw.trim();
        let digits = number.strip_prefix('+').unwrap_or("");
        if (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
        {
            Ok(number.to_string())
        } else {
            Err("Enter the number in international format, like +14155550100.".into())
        }
    }
);

parsed_text!(
    /// A US area code: three digits, not starting with 0 or 1.
    AreaCode,
    "^[2-9][0-9]{2}$",
    |raw| {
        let code = raw.trim();
        if code.len() == 3
            && code.bytes().all(|b| b.is_ascii_digit())
            && !code.starts_with(['0', '1'])
        {
            Ok(code.to_string())
        } else {
            Err("Enter a 3-digit US area code, like 415.".into())
        }
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    text_enum! {
        Colour { Red => "red", DarkBlue => "dark_blue" }
    }

    #[test]
    fn an_enum_has_one_spelling_on_the_wire_and_in_text() {
        assert_eq!(
            serde_json::to_string(&Colour::DarkBlue).unwrap(),
            "\"dark_blue\""
        );
        assert_eq!("dark_blue".parse::<Colour>(), Ok(Colour::DarkBlue));
        assert_eq!(Colour::Red.to_string(), "red");
        assert_eq!(Colour::ALL.len(), 2);
    }

    #[test]
    fn an_unknown_spelling_is_an_error_not_a_default() {
        let e = "purple".parse::<Colour>().unwrap_err();
        assert_eq!(e.to_string(), "unknown Colour \"purple\"");
        assert!(serde_json::from_str::<Colour>("\"purple\"").is_err());
    }

    #[test]
    fn phone_numbers_are_parsed_to_e164() {
        assert_eq!(
            E164::parse(" +14155550123 ").unwrap().as_str(),
            "+14155550123"
        );
        for bad in [
            "",
            "4155550123",
            "+1 415 555 0123",
            "+0123456789",
            "+1415",
            "+1415555012345678",
            "+1415abc0123",
        ] {
            assert!(E164::parse(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<E164>("\"12\"").is_err());
    }

    #[test]
    fn area_codes_are_three_digits_not_starting_with_0_or_1() {
        assert_eq!(AreaCode::parse(" 415 ").unwrap().as_str(), "415");
        for bad in ["", "41", "4155", "015", "115", "4a5"] {
            assert!(AreaCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn typed_ids_travel_as_bare_uuids() {
        let id = Uuid::new_v4();
        let agent = AgentId(id);
        assert_eq!(serde_json::to_string(&agent).unwrap(), format!("\"{id}\""));
        assert_eq!(agent.to_string().parse::<AgentId>().unwrap(), agent);
    }
}
