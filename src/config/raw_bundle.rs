//! Stage 1 (raw): the serde-facing shape of a bundle (`bundles:`), with spans. Shape only:
//! `validate::bundles` checks the values and references.

use schemars::JsonSchema;
use serde::Deserialize;

use super::raw::{Attrs, S};

/// A bundle: a container image run on several nodes, optionally with a primitive inside each
/// replica (`pcs resource bundle create ...`). Exactly one of `docker`, `podman`, `rkt`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBundle {
    /// Run the replicas with Docker.
    #[serde(default)]
    pub docker: Option<S<RawContainer>>,
    /// Run the replicas with Podman.
    #[serde(default)]
    pub podman: Option<S<RawContainer>>,
    /// Run the replicas with rkt.
    #[serde(default)]
    pub rkt: Option<S<RawContainer>>,
    /// How the replicas are reached: an address range, a control port, ... (pcs `network`).
    #[serde(default)]
    pub network: Option<S<RawBundleNetwork>>,
    /// Ports forwarded into the containers (pcs `port-map`), with `network.ip-range-start`.
    #[serde(default, rename = "port-mapping")]
    pub port_mapping: Vec<S<RawPortMapping>>,
    /// Host directories mounted in the containers (pcs `storage-map`).
    #[serde(default, rename = "storage-mapping")]
    pub storage_mapping: Vec<S<RawStorageMapping>>,
    /// The primitive run inside each replica (declared under `resources`).
    #[serde(default)]
    pub resource: Option<S<String>>,
    /// Meta attributes, e.g. `container-attribute-target`, `promoted-max`.
    #[serde(default)]
    pub meta: Attrs,
    /// `false` writes `target-role=Stopped` (pcs `--disabled`).
    #[serde(default)]
    pub enabled: Option<S<bool>>,
    #[serde(default)]
    pub description: Option<S<String>>,
}

/// The container options of a bundle (pcs `container TYPE ...`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawContainer {
    /// The container image, e.g. `registry.example.com/httpd:2.4`.
    pub image: S<String>,
    /// How many replicas run (default: `promoted-max`, or 1).
    #[serde(default)]
    pub replicas: Option<S<u32>>,
    /// How many replicas may run on one node (default 1).
    #[serde(default, rename = "replicas-per-host")]
    pub replicas_per_host: Option<S<u32>>,
    /// How many replicas may be promoted (the primitive must be promotable).
    #[serde(default, rename = "promoted-max")]
    pub promoted_max: Option<S<u32>>,
    /// The command run in the container (default: `pacemaker-remoted` when there is a primitive).
    #[serde(default, rename = "run-command")]
    pub run_command: Option<S<String>>,
    /// The container's network setting, passed to the container tool (e.g. `host`).
    #[serde(default)]
    pub network: Option<S<String>>,
    /// Extra options passed to the container tool's run command.
    #[serde(default)]
    pub options: Option<S<String>>,
}

/// A bundle's network settings (pcs `network ...`).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawBundleNetwork {
    /// The first of consecutive IP addresses given to the replicas.
    #[serde(default, rename = "ip-range-start")]
    pub ip_range_start: Option<S<String>>,
    /// The host interface the addresses are added on.
    #[serde(default, rename = "host-interface")]
    pub host_interface: Option<S<String>>,
    /// The addresses' netmask, in bits (CIDR).
    #[serde(default, rename = "host-netmask")]
    pub host_netmask: Option<S<u32>>,
    /// The port Pacemaker reaches `pacemaker-remoted` on in the container (default 3121).
    #[serde(default, rename = "control-port")]
    pub control_port: Option<S<u32>>,
    /// Add the replicas' names and addresses to each container's `/etc/hosts` (default true).
    #[serde(default, rename = "add-host")]
    pub add_host: Option<S<bool>>,
}

/// One forwarded port: `port` (and `internal-port`), or a `range`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawPortMapping {
    /// The port forwarded from each replica's address.
    #[serde(default)]
    pub port: Option<S<u32>>,
    /// The port inside the container (default: `port`).
    #[serde(default, rename = "internal-port")]
    pub internal_port: Option<S<u32>>,
    /// A range of ports forwarded as they are, `FIRST-LAST`.
    #[serde(default)]
    pub range: Option<S<String>>,
    /// The mapping's id; generated as pcs does (`BUNDLE-port-map-PORT`) when omitted.
    #[serde(default)]
    pub id: Option<S<String>>,
}

/// One mounted directory: `source-dir` or `source-dir-root`, and `target-dir`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawStorageMapping {
    /// The host directory mounted in every replica.
    #[serde(default, rename = "source-dir")]
    pub source_dir: Option<S<String>>,
    /// A host directory under which each replica gets its own subdirectory (named after it).
    #[serde(default, rename = "source-dir-root")]
    pub source_dir_root: Option<S<String>>,
    /// Where it is mounted in the container.
    #[serde(rename = "target-dir")]
    pub target_dir: S<String>,
    /// Mount options, e.g. `rw`, `ro,Z`.
    #[serde(default)]
    pub options: Option<S<String>>,
    /// The mapping's id; generated as pcs does (`BUNDLE-storage-map`) when omitted.
    #[serde(default)]
    pub id: Option<S<String>>,
}
