//! CIB → model: alerts, their selections and recipients. Anything else in `<alerts>` (rules
//! on their sets, comments, unknown elements) keeps the section raw.

use super::read::{extra_attr, plain_pairs, NotNative, Pairs, Reader};
use crate::cib::xml::{Element, Node};
use crate::model::{Alert, Recipient};

impl Reader<'_> {
    pub(super) fn alerts(&self, top: &Element) -> Result<Vec<Alert>, NotNative> {
        no_text(top)?;
        top.elements().map(alert).collect()
    }
}

fn no_text(el: &Element) -> Result<(), NotNative> {
    if el.children.iter().any(|n| !matches!(n, Node::Element(_))) {
        return Err(format!("comments or text in `<{}>`", el.name));
    }
    Ok(())
}

/// The params and meta of an alert or recipient (one plain set each at most).
fn sets(el: &Element) -> Result<(Pairs, Pairs), NotNative> {
    for tag in ["instance_attributes", "meta_attributes"] {
        if el.elements().filter(|e| e.name == tag).count() > 1 {
            return Err(format!("two `{tag}` in `<{}>`", el.name));
        }
    }
    Ok((plain_pairs(el, "instance_attributes")?, plain_pairs(el, "meta_attributes")?))
}

fn alert(a: &Element) -> Result<Alert, NotNative> {
    if a.name != "alert" {
        return Err(format!("`<{}>` in it", a.name));
    }
    no_text(a)?;
    extra_attr(a, &["path", "description"])?;
    let id = a.id().ok_or("an alert without an id")?.to_string();
    let path = a.attr("path").filter(|p| !p.is_empty()).ok_or("an alert without a path")?.to_string();
    let (params, meta) = sets(a)?;
    let (mut select, mut attributes) = (Vec::new(), Vec::new());
    let mut recipients: Vec<Recipient> = Vec::new();
    for c in a.elements() {
        match c.name.as_str() {
            "instance_attributes" | "meta_attributes" => {}
            "select" => (select, attributes) = selection(c)?,
            "recipient" => {
                no_text(c)?;
                extra_attr(c, &["value", "description"])?;
                let value = c.attr("value").filter(|v| !v.is_empty()).ok_or("a recipient without a value")?;
                if recipients.iter().any(|r| r.value == value) {
                    return Err(format!("recipient `{value}` given twice"));
                }
                if c.elements().any(|e| !matches!(e.name.as_str(), "instance_attributes" | "meta_attributes")) {
                    return Err("a recipient with more than attribute sets".into());
                }
                let (params, meta) = sets(c)?;
                let id = c.id().ok_or("a recipient without an id")?.to_string();
                let description = c.attr("description").map(str::to_string);
                recipients.push(Recipient { id: Some(id), value: value.to_string(), description, params, meta });
            }
            other => return Err(format!("`<{other}>` in an alert")),
        }
    }
    // Leave out the recipient ids pcs would give anyway (`ALERT-recipient`, `-1`, ...).
    for (i, r) in recipients.iter_mut().enumerate() {
        let pcs = if i == 0 { format!("{id}-recipient") } else { format!("{id}-recipient-{i}") };
        if r.id.as_deref() == Some(pcs.as_str()) {
            r.id = None;
        }
    }
    let description = a.attr("description").map(str::to_string);
    Ok(Alert { id, path, description, params, meta, select, attributes, recipients })
}

/// `(select, attributes)` of a `<select>`.
fn selection(sel: &Element) -> Result<(Vec<String>, Vec<String>), NotNative> {
    no_text(sel)?;
    extra_attr(sel, &[])?;
    let (mut select, mut attributes) = (Vec::new(), Vec::new());
    for s in sel.elements() {
        let kind = s.name.strip_prefix("select_").unwrap_or_default();
        if !crate::validate::alert_selections().contains(&kind) || select.iter().any(|k| k == kind) {
            return Err(format!("`<{}>` in a selection", s.name));
        }
        extra_attr(s, &[])?;
        for at in s.elements() {
            if kind != "attributes" || at.name != "attribute" || at.elements().next().is_some() {
                return Err(format!("`<{}>` in `<{}>`", at.name, s.name));
            }
            extra_attr(at, &["name"])?;
            attributes
                .push(at.attr("name").filter(|n| !n.is_empty()).ok_or("an attribute without a name")?.to_string());
        }
        select.push(kind.to_string());
    }
    if select.is_empty() {
        return Err("an empty selection".into());
    }
    // Only the named attributes selected: the file says `attributes: [...]` alone.
    if select == ["attributes"] && !attributes.is_empty() {
        select.clear();
    }
    Ok((select, attributes))
}
