//! Alerts: an agent Pacemaker runs on cluster events, what it selects, and its recipients.

use crate::config::raw::{RawAlert, RawCluster, S};
use crate::diag::{codes, Diag};
use crate::model::{Alert, Recipient};

use super::{one_of, Validator};

/// What an alert may select.
pub(crate) const SELECTIONS: &[&str] = &["nodes", "fencing", "resources", "attributes"];

impl Validator<'_> {
    pub(super) fn alerts(&mut self, raw: &RawCluster) -> Vec<Alert> {
        raw.alerts.iter().map(|(id, a)| self.alert(id, a)).collect()
    }

    fn alert(&mut self, id: &S<String>, a: &S<RawAlert>) -> Alert {
        self.declare(id, "alert");
        let r = &a.value;
        if r.path.value.trim().is_empty() {
            self.err(
                codes::ALERT_PATH,
                r.path.span,
                format!("alert `{}` has an empty path", id.value),
                "empty",
                "give the alert agent's full path, e.g. `/usr/share/pacemaker/alerts/alert_file.sh`".into(),
            );
        }
        let mut select: Vec<String> = Vec::new();
        for s in r.select.iter().flat_map(|s| &s.value) {
            if !SELECTIONS.contains(&s.value.as_str()) {
                let h = one_of(&s.value, SELECTIONS);
                self.err(codes::ALERT_SELECT, s.span, format!("unknown alert selection `{}`", s.value), "unknown", h);
            } else if select.contains(&s.value) {
                self.err(
                    codes::ALERT_SELECT,
                    s.span,
                    format!("`{}` is selected twice", s.value),
                    "again",
                    "select it once".into(),
                );
            } else {
                select.push(s.value.clone());
            }
        }
        if !r.attributes.is_empty() && !select.is_empty() && !select.iter().any(|s| s == "attributes") {
            select.push("attributes".into());
        }
        let mut recipients: Vec<Recipient> = Vec::new();
        for rc in &r.recipients {
            let value = rc.value.value.value.0.clone();
            if value.is_empty() || recipients.iter().any(|x| x.value == value) {
                let what = if value.is_empty() { "an empty recipient" } else { "a recipient given twice" };
                let d = Diag::error(codes::ALERT_RECIPIENT, format!("{what} in alert `{}`", id.value))
                    .label(rc.value.value.span, "here")
                    .help("each recipient is one value the agent gets (an address, a file, ...), given once")
                    .in_source(self.src);
                self.diags.push(d);
                continue;
            }
            if let Some(rid) = &rc.value.id {
                self.declare(rid, "alert recipient");
            }
            recipients.push(Recipient {
                id: rc.value.id.as_ref().map(|i| i.value.clone()),
                value,
                description: rc.value.description.as_ref().map(|d| d.value.clone()),
                params: self.attrs(&rc.value.params, "recipient params"),
                meta: self.attrs(&rc.value.meta, "recipient meta"),
            });
        }
        Alert {
            id: id.value.clone(),
            path: r.path.value.clone(),
            description: r.description.as_ref().map(|d| d.value.clone()),
            params: self.attrs(&r.params, "alert params"),
            meta: self.attrs(&r.meta, "alert meta"),
            select,
            attributes: r.attributes.iter().map(|a| a.value.clone()).collect(),
            recipients,
        }
    }
}
