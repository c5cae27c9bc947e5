//! Trust in a pcsd's certificate: pinned on first use, like ssh's known_hosts. pcsd serves a
//! self-signed certificate (`/var/lib/pcsd/pcsd.crt`), so no CA can vouch for it; instead the
//! SHA-256 fingerprint of the certificate a node showed the first time is kept in a pin file, and
//! every later connection must show the same certificate, or it is refused before a byte of a
//! request (a password, a token) is sent. The TLS handshake's signature is still verified
//! against that certificate, so a party that copied the certificate but lacks its key fails.
//!
//! There is no switch that turns this off. A certificate replaced on purpose is accepted by
//! removing its line from the pin file (the refusal says which line, and how to compare the new
//! fingerprint on the node first). This module writes only the pin file (through
//! `fsutil::write`) and prints nothing.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

use super::{Endpoint, PcsdError};

/// The SHA-256 fingerprint of a certificate (of its DER bytes), as `openssl x509 -fingerprint
/// -sha256` prints it: uppercase hex pairs joined by `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint(pub [u8; 32]);

impl Fingerprint {
    pub fn of(der: &[u8]) -> Fingerprint {
        Fingerprint(Sha256::digest(der).into())
    }

    /// Parse `AB:CD:...` (32 pairs, any case).
    pub fn parse(s: &str) -> Option<Fingerprint> {
        let bytes: Vec<u8> = s
            .split(':')
            .map(|p| if p.len() == 2 { u8::from_str_radix(p, 16).ok() } else { None })
            .collect::<Option<_>>()?;
        bytes.try_into().ok().map(Fingerprint)
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hex: Vec<String> = self.0.iter().map(|b| format!("{b:02X}")).collect();
        f.write_str(&hex.join(":"))
    }
}

/// The pin file: one line per pcsd, `HOST:PORT sha256 FINGERPRINT`; `#` starts a comment.
#[derive(Debug, Clone)]
pub struct PinFile {
    pub path: PathBuf,
}

impl PinFile {
    /// Every pin in the file; a missing file has none.
    ///
    /// # Errors
    /// The file cannot be read, or a line is not a pin (refused whole: a damaged pin file must
    /// not silently drop a pin and so trust a new certificate).
    pub fn load(&self) -> Result<Vec<(String, Fingerprint)>, PcsdError> {
        let text = match crate::input::read_text_capped(&self.path, 1 << 20) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(PcsdError::store(&self.path, e.to_string())),
        };
        let mut pins = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split_whitespace().collect();
            match fields.as_slice() {
                [place, "sha256", fp] if Fingerprint::parse(fp).is_some() => {
                    pins.push(((*place).to_string(), Fingerprint::parse(fp).unwrap_or(Fingerprint([0; 32]))));
                }
                _ => {
                    return Err(PcsdError::store(
                        &self.path,
                        format!("line {} is not `HOST:PORT sha256 FINGERPRINT`", n + 1),
                    ))
                }
            }
        }
        Ok(pins)
    }

    /// The pin of one endpoint.
    ///
    /// # Errors
    /// As `load`.
    pub fn get(&self, ep: &Endpoint) -> Result<Option<Fingerprint>, PcsdError> {
        let key = ep.to_string();
        Ok(self.load()?.into_iter().find(|(p, _)| *p == key).map(|(_, f)| f))
    }

    /// Pin `fp` for `ep`, replacing an earlier pin of it (used on first use, and after a
    /// cluster setup that gave every node the coordinator's certificate).
    ///
    /// # Errors
    /// The file cannot be read or written.
    pub fn set(&self, ep: &Endpoint, fp: &Fingerprint) -> Result<(), PcsdError> {
        let _lock = super::tokens::lock(&self.path)?;
        let key = ep.to_string();
        let mut pins = self.load()?;
        pins.retain(|(p, _)| *p != key);
        pins.push((key, fp.clone()));
        let mut text = String::from("# pcsd certificates pinned by cibform: HOST:PORT sha256 FINGERPRINT\n");
        for (p, f) in &pins {
            text.push_str(&format!("{p} sha256 {f}\n"));
        }
        super::tokens::write_private(&self.path, &text)
    }
}

/// What one connection's verifier saw: the certificate's fingerprint, for the error after a
/// refusal and for the pin after a first use.
pub type Seen = Arc<Mutex<Option<Fingerprint>>>;

/// A verifier that accepts exactly the pinned certificate, or, with no pin yet, any
/// certificate (whose fingerprint it records so the caller pins it). Handshake signatures are
/// always verified.
#[derive(Debug)]
pub struct PinVerifier {
    expected: Option<Fingerprint>,
    seen: Seen,
    provider: Arc<CryptoProvider>,
}

impl PinVerifier {
    pub fn new(expected: Option<Fingerprint>, seen: Seen, provider: Arc<CryptoProvider>) -> PinVerifier {
        PinVerifier { expected, seen, provider }
    }
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let fp = Fingerprint::of(end_entity.as_ref());
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(fp.clone());
        }
        match &self.expected {
            Some(pinned) if *pinned != fp => {
                Err(rustls::Error::InvalidCertificate(rustls::CertificateError::ApplicationVerificationFailure))
            }
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// The TLS configuration of one connection to `expected`'s holder.
///
/// # Errors
/// rustls refuses the protocol versions (never with the ring provider's defaults).
pub fn client_config(expected: Option<Fingerprint>, seen: Seen) -> Result<rustls::ClientConfig, PcsdError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = PinVerifier::new(expected, seen, provider.clone());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| PcsdError::Tls { place: String::new(), detail: e.to_string() })?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth())
}

/// The pin file's default place, next to the token store.
pub fn default_path(dir: &Path) -> PathBuf {
    dir.join("pcsd-certs")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_print_and_parse_like_openssl() {
        let fp = Fingerprint::of(b"x");
        let text = fp.to_string();
        assert_eq!(text.len(), 32 * 3 - 1);
        assert_eq!(Fingerprint::parse(&text), Some(fp.clone()));
        assert_eq!(Fingerprint::parse(&text.to_lowercase()), Some(fp));
        assert_eq!(Fingerprint::parse("AB:CD"), None);
        assert_eq!(Fingerprint::parse(""), None);
    }

    #[test]
    fn pins_are_kept_per_endpoint_private_and_a_damaged_file_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let file = PinFile { path: dir.path().join("pcsd-certs") };
        let a = Endpoint { host: "n1".into(), port: 2224 };
        let b = Endpoint { host: "n2".into(), port: 2224 };
        assert_eq!(file.get(&a).unwrap(), None);
        file.set(&a, &Fingerprint::of(b"a")).unwrap();
        file.set(&b, &Fingerprint::of(b"b")).unwrap();
        file.set(&a, &Fingerprint::of(b"a2")).unwrap();
        assert_eq!(file.get(&a).unwrap(), Some(Fingerprint::of(b"a2")));
        assert_eq!(file.get(&b).unwrap(), Some(Fingerprint::of(b"b")));
        assert_eq!(std::fs::metadata(&file.path).unwrap().permissions().mode() & 0o777, 0o600);
        std::fs::write(&file.path, "n1:2224 sha256 nonsense\n").unwrap();
        let e = file.get(&a).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
    }
}
