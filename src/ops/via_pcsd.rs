//! What `plan` and `apply` take from pcsd when `--pcsd` is given: the cluster's corosync.conf
//! (from the first node that answers) and the agents' metadata (from the same node, agents
//! asked concurrently within the client's bound). The CIB still comes from `--target`.

use futures_util::stream::{self, StreamExt as _};

use crate::backend::pcsd::{Node, Pcsd, PcsdError};
use crate::backend::ConfText;
use crate::model::Agent;
use crate::validate::agents::Catalog;

/// corosync.conf through pcsd; `None` when the answering node has none (no cluster there yet).
///
/// # Errors
/// No node answers, or a node refuses (password, token, certificate).
pub async fn corosync_via_pcsd(p: &Pcsd) -> Result<Option<ConfText>, PcsdError> {
    p.first(async |n| {
        let text = n.corosync_conf().await?;
        Ok(text.map(|text| ConfText { name: format!("pcsd://{}/corosync.conf", n.place()), text }))
    })
    .await
}

/// Fill `catalog` with the metadata of `wanted` as the first answering pcsd node has it.
///
/// # Errors
/// No node answers, or one refuses; `catalog` then keeps what it had (the snapshot).
pub async fn metadata_via_pcsd(wanted: &[Agent], p: &Pcsd, catalog: &mut Catalog) -> Result<(), PcsdError> {
    // Log in once, on the node that answers, before the concurrent questions.
    let ep = p
        .first(async |n| {
            n.check_auth().await?;
            Ok(n.endpoint().clone())
        })
        .await?;
    let node = Node::new(ep, p.settings.clone())?;
    let node = &node;
    let answers: Vec<(&Agent, Result<Option<String>, PcsdError>)> = stream::iter(wanted)
        .map(|a| async move { (a, node.agent_metadata(a).await) })
        .buffered(p.settings.parallel.max(1))
        .collect()
        .await;
    let place = format!("pcsd at {}", node.place());
    for (a, r) in answers {
        catalog.from_host(a, &place, r?);
    }
    Ok(())
}
