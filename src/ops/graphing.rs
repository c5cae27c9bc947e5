//! `cibform graph`: the configuration to draw. Without a target, the file's own configuration as
//! `apply` would write it to an empty cluster (nothing read, offline); with one, the planned
//! configuration on that target, coloured by the plan. It draws nothing itself
//! (`render::diagram` does) and never writes to the target.

use crate::backend::Backend;
use crate::cib::xml::Element;
use crate::desired;
use crate::error::Error;
use crate::model::Cluster;
use crate::plan;
use crate::render::diagram::Drawing;

/// The drawing of the file alone: its configuration on an empty cluster, uncoloured.
pub fn file_drawing(model: &Cluster) -> Drawing {
    let empty = ["crm_config", "nodes", "resources", "constraints"]
        .into_iter()
        .fold(Element::new("configuration"), |cfg, section| cfg.with_child(Element::new(section)));
    let d = desired::build(model, Vec::<String>::new(), &desired::builtin_default_ops());
    Drawing::of_configuration(&plan::compute(&empty, &d).new_config)
}

/// The drawing of the planned configuration on a target, coloured by what the plan changes.
///
/// # Errors
/// The target cannot be read, or the CIB belongs to another cluster.
pub async fn planned_drawing(model: &Cluster, backend: &Backend) -> Result<Drawing, Error> {
    let planned = super::plan_configuration(model, backend, super::PlanOpts::default()).await?;
    Ok(Drawing::of_plan(&planned.plan))
}
