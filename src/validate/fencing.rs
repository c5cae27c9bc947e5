//! Fencing topology (levels by node, by node-name pattern and by node attribute, each naming
//! declared fencing devices) and tags (named lists of resources): the small whole sections.

use std::collections::HashMap;

use crate::config::raw::{RawCluster, RawFencingLevel, Span, S};
use crate::diag::{codes, Diag};
use crate::model::{FencingLevel, LevelTarget};

use super::Validator;

impl Validator<'_> {
    pub(super) fn fencing_levels(&mut self, raw: &RawCluster) -> Vec<FencingLevel> {
        let mut seen: HashMap<(String, u32), Span> = HashMap::new();
        let mut out = Vec::new();
        for l in &raw.fencing_levels {
            let Some(level) = self.fencing_level(l) else { continue };
            let key = (format!("{:?}", level.target), level.index);
            if let Some(first) = seen.insert(key, l.value.index.span) {
                let d = Diag::error(
                    codes::FENCING_LEVEL,
                    format!("fencing level {} is given twice for one target", level.index),
                )
                .label(l.value.index.span, "given again")
                .label(first, "first given here")
                .help("give each level of a target its own index, or merge their devices")
                .in_source(self.src);
                self.diags.push(d);
                continue;
            }
            out.push(level);
        }
        out
    }

    pub(super) fn tags(&mut self, raw: &RawCluster) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for (id, refs) in raw.tags.iter() {
            self.declare(id, "tag");
            let mut names: Vec<String> = Vec::new();
            for r in &refs.value {
                if names.contains(&r.value) {
                    let msg = format!("tag `{}` names `{}` twice", id.value, r.value);
                    self.err(codes::TAG_EMPTY, r.span, msg, "named again", "name each resource once".into());
                    continue;
                }
                names.push(self.rsc_ref(r, "tagged resource"));
            }
            if refs.value.is_empty() {
                let msg = format!("tag `{}` names no resource", id.value);
                self.err(codes::TAG_EMPTY, refs.span, msg, "empty", "list the resources it names, or remove it".into());
                continue;
            }
            out.push((id.value.clone(), names));
        }
        out
    }

    fn fencing_level(&mut self, l: &S<RawFencingLevel>) -> Option<FencingLevel> {
        let r = &l.value;
        if let Some(id) = &r.id {
            self.declare(id, "fencing level");
        }
        let target = match (&r.target, &r.target_pattern, &r.target_attribute, &r.target_value) {
            (Some(n), None, None, None) => LevelTarget::Node(n.value.clone()),
            (None, Some(p), None, None) if !p.value.is_empty() => LevelTarget::Pattern(p.value.clone()),
            (None, None, Some(a), Some(v)) if !a.value.is_empty() => {
                LevelTarget::Attribute { name: a.value.clone(), value: v.value.0.clone() }
            }
            _ => {
                self.err(
                    codes::FENCING_LEVEL,
                    l.span,
                    "a fencing level needs exactly one target".into(),
                    "here",
                    "give `target: NODE`, `target-pattern: REGEX`, or `target-attribute: NAME` with `target-value: VALUE`"
                        .into(),
                );
                return None;
            }
        };
        if r.index.value == 0 {
            self.err(
                codes::FENCING_LEVEL,
                r.index.span,
                "fencing level index 0".into(),
                "index 0",
                "levels are numbered from 1 (tried first)".into(),
            );
        }
        if r.devices.is_empty() {
            self.err(
                codes::FENCING_LEVEL,
                l.span,
                "a fencing level without devices".into(),
                "here",
                "list the fencing devices (stonith resources) of this level under `devices`".into(),
            );
        }
        let devices = r.devices.iter().map(|d| self.rsc_ref(d, "fencing device")).collect();
        Some(FencingLevel { id: r.id.as_ref().map(|i| i.value.clone()), index: r.index.value, target, devices })
    }
}
