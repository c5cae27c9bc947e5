//! Stage 6 (corosync quorum device through pcsd): the requests pcs sends for `pcs quorum device
//! add`/`update`/`remove` with model `net` (pcs/lib/commands/quorum.py,
//! pcs/lib/communication/qdevice*.py): the qnetd host's CA certificate read through its pcsd,
//! a node's own certificates set up by pcs on that node (`quorum.device_net_certificate_setup_local`,
//! API v2: the node asks the qnetd host's pcsd to sign its request, so its private key never
//! leaves it), corosync-qdevice enabled, started, stopped, disabled, the client certificates
//! destroyed.
//!
//! It decides nothing about order (`ops::qdevice` does) and prints nothing. No certificate,
//! key or token is returned to the caller or put in an error.

use std::time::Duration;

use super::client::Body;
use super::{Node, PcsdError};

/// How long a node may take to set up its certificates (two requests to the qnetd host's pcsd
/// and four certificate tools), or pcsd to start or stop corosync-qdevice.
const QDEVICE_TIMEOUT: Duration = Duration::from_secs(120);

/// `systemctl ACTION corosync-qdevice` through pcsd (`remote/qdevice_client_ACTION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Enable,
    Disable,
    Start,
    Stop,
}

impl Service {
    fn path(self) -> &'static str {
        match self {
            Service::Enable => "remote/qdevice_client_enable",
            Service::Disable => "remote/qdevice_client_disable",
            Service::Start => "remote/qdevice_client_start",
            Service::Stop => "remote/qdevice_client_stop",
        }
    }

    /// The past participle, as the steps say it.
    pub fn done(self) -> &'static str {
        match self {
            Service::Enable => "enabled",
            Service::Disable => "disabled",
            Service::Start => "started",
            Service::Stop => "stopped",
        }
    }
}

/// What pcsd did with corosync-qdevice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    Done,
    /// pcsd skipped it, in its words (`corosync is not running, skipping`).
    Skipped(String),
}

impl Node {
    /// The qnetd host's CA certificate exists (`remote/qdevice_net_get_ca_certificate`: qnetd
    /// is set up there, as `pcs qdevice setup model net` does). The certificate itself is not
    /// kept: each node fetches it itself.
    ///
    /// # Errors
    /// pcsd cannot be reached or used, or has no qnetd CA certificate.
    pub async fn qnetd_ca_present(&self) -> Result<(), PcsdError> {
        let what = "remote/qdevice_net_get_ca_certificate";
        let text = self.call(what, Body::None, None).await?;
        if text.trim().is_empty() {
            return Err(self.bad(what, "a CA certificate", ""));
        }
        Ok(())
    }

    /// `pcs` on this node sets up its corosync-qdevice client certificates for `cluster`
    /// from `qnetd_host` (found in this node's known-hosts): the CA certificate, a fresh
    /// store, a certificate request signed by the qnetd host's pcsd, imported with its key.
    ///
    /// # Errors
    /// pcs refuses or fails (its messages), or pcsd cannot be reached.
    pub async fn qdevice_certificates(&self, qnetd_host: &str, cluster: &str) -> Result<(), PcsdError> {
        let params = serde_json::json!({ "qnetd_host": qnetd_host, "cluster_name": cluster });
        self.api_v2("quorum.device_net_certificate_setup_local", &params, Some(QDEVICE_TIMEOUT)).await.map(drop)
    }

    /// corosync-qdevice enabled, disabled, started or stopped on this node.
    ///
    /// # Errors
    /// pcsd fails to (its message), or cannot be reached.
    pub async fn qdevice_service(&self, action: Service) -> Result<Done, PcsdError> {
        let said = self.call(action.path(), Body::Form(&[]), Some(QDEVICE_TIMEOUT)).await?;
        let said = said.trim();
        Ok(if said.ends_with("skipping") { Done::Skipped(said.to_string()) } else { Done::Done })
    }

    /// The node's corosync-qdevice client certificates removed (`pcs qdevice net-client
    /// destroy` there).
    ///
    /// # Errors
    /// pcsd fails to (its message), or cannot be reached.
    pub async fn qdevice_destroy(&self) -> Result<(), PcsdError> {
        self.call("remote/qdevice_net_client_destroy", Body::Form(&[]), None).await.map(drop)
    }
}
