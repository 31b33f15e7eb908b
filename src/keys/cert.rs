//! The parts of an X.509 certificate (RFC 5280 section 4.1) that a WeChat Pay platform
//! certificate is used for: serial number, validity and public key. Decoded with `der`'s
//! derive; the other fields are kept as raw, unparsed DER elements.

use der::asn1::{AnyRef, BitStringRef, GeneralizedTime, UintRef, UtcTime};
use der::{Choice, DateTime, Sequence};

/// `Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }`.
#[derive(Sequence)]
pub struct Certificate<'a> {
    /// The signed part.
    pub tbs: TbsCertificate<'a>,
    /// Not checked here: the certificate is trusted because the merchant configured it.
    pub signature_algorithm: AnyRef<'a>,
    /// Not checked here (see above).
    pub signature: BitStringRef<'a>,
}

/// `TBSCertificate`, fields in order.
#[derive(Sequence)]
pub struct TbsCertificate<'a> {
    /// `[0] EXPLICIT Version DEFAULT v1`.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub version: Option<u8>,
    /// The serial number (a positive INTEGER).
    pub serial_number: UintRef<'a>,
    /// Signature algorithm of the issuer.
    pub signature: AnyRef<'a>,
    /// Issuer name (unparsed).
    pub issuer: AnyRef<'a>,
    /// Validity period.
    pub validity: Validity,
    /// Subject name (unparsed).
    pub subject: AnyRef<'a>,
    /// `SubjectPublicKeyInfo` as a whole DER element.
    pub subject_public_key_info: AnyRef<'a>,
    /// `[1] IMPLICIT UniqueIdentifier OPTIONAL`.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub issuer_unique_id: Option<BitStringRef<'a>>,
    /// `[2] IMPLICIT UniqueIdentifier OPTIONAL`.
    #[asn1(context_specific = "2", tag_mode = "IMPLICIT", optional = "true")]
    pub subject_unique_id: Option<BitStringRef<'a>>,
    /// `[3] EXPLICIT Extensions OPTIONAL` (unparsed).
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub extensions: Option<AnyRef<'a>>,
}

/// `Validity ::= SEQUENCE { notBefore Time, notAfter Time }`.
#[derive(Sequence)]
pub struct Validity {
    /// Start of validity.
    pub not_before: Time,
    /// End of validity.
    pub not_after: Time,
}

/// `Time ::= CHOICE { utcTime UTCTime, generalTime GeneralizedTime }`.
#[derive(Choice, Clone, Copy)]
pub enum Time {
    /// Two-digit years (1950-2049).
    #[asn1(type = "UTCTime")]
    Utc(UtcTime),
    /// Four-digit years.
    #[asn1(type = "GeneralizedTime")]
    General(GeneralizedTime),
}

impl Time {
    /// The instant as a calendar date and time (UTC).
    pub fn date_time(&self) -> DateTime {
        match self {
            Time::Utc(t) => t.to_date_time(),
            Time::General(t) => t.to_date_time(),
        }
    }

    /// Seconds since the Unix epoch.
    pub fn unix_secs(&self) -> i64 {
        self.date_time().unix_duration().as_secs() as i64
    }
}
