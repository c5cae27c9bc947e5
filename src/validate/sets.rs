//! Attribute sets with a rule or a score: `property_sets`, `rsc_defaults_sets`,
//! `op_defaults_sets`. Plain values belong in the section itself; these are the conditional ones.

use crate::config::raw::{RawAttrSet, RawCluster, S};
use crate::diag::codes;
use crate::model::AttrSet;

use super::options::MetaScope;
use super::Validator;

/// Which section a set belongs to, for its checks.
#[derive(Clone, Copy)]
pub(super) enum SetKind {
    Properties,
    RscDefaults,
    OpDefaults,
    Params,
    Meta,
}

impl SetKind {
    fn key(self) -> &'static str {
        match self {
            SetKind::Properties => "properties",
            SetKind::RscDefaults => "rsc_defaults",
            SetKind::OpDefaults => "op_defaults",
            SetKind::Params => "params",
            SetKind::Meta => "meta",
        }
    }
}

impl Validator<'_> {
    /// `(property_sets, rsc_defaults_sets, op_defaults_sets)`, validated.
    pub(super) fn all_sets(&mut self, raw: &RawCluster) -> [Vec<AttrSet>; 3] {
        [
            self.attr_sets(&raw.property_sets, SetKind::Properties),
            self.attr_sets(&raw.rsc_defaults_sets, SetKind::RscDefaults),
            self.attr_sets(&raw.op_defaults_sets, SetKind::OpDefaults),
        ]
    }

    /// A primitive's `(params_sets, meta_sets)`, validated.
    pub(super) fn primitive_sets(&mut self, r: &crate::config::raw::RawResource) -> (Vec<AttrSet>, Vec<AttrSet>) {
        (self.attr_sets(&r.params_sets, SetKind::Params), self.attr_sets(&r.meta_sets, SetKind::Meta))
    }

    fn attr_sets(&mut self, sets: &[S<RawAttrSet>], kind: SetKind) -> Vec<AttrSet> {
        sets.iter().filter_map(|s| self.attr_set(s, kind)).collect()
    }

    fn attr_set(&mut self, s: &S<RawAttrSet>, kind: SetKind) -> Option<AttrSet> {
        let r = &s.value;
        if let Some(id) = &r.id {
            self.declare(id, "attribute set");
        }
        if r.rule.is_none() && r.score.is_none() {
            self.err(
                codes::ATTR_SET_PLAIN,
                s.span,
                format!("a `{}_sets` entry needs `rule` or `score`", kind.key()),
                "neither rule nor score",
                format!("values that always apply go under `{}`", kind.key()),
            );
            return None;
        }
        let values = self.attrs(&r.values, &format!("{}_sets values", kind.key()));
        match kind {
            SetKind::Properties => self.typed_properties(&r.values),
            SetKind::RscDefaults => self.typed_meta(&r.values, MetaScope::RscDefaults, None),
            SetKind::OpDefaults => self.typed_meta(&r.values, MetaScope::Op, None),
            SetKind::Meta => self.typed_meta(&r.values, MetaScope::Primitive, None),
            SetKind::Params => {}
        }
        let score = r.score.as_ref().map(|x| self.score(x));
        let rule = match &r.rule {
            Some(x) => Some(self.rule(x)?),
            None => None,
        };
        Some(AttrSet { id: r.id.as_ref().map(|i| i.value.clone()), rule, score, values })
    }
}
