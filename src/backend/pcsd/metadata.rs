//! Agent metadata from pcsd. pcsd answers `resource-agent-get-agent-metadata` with pcs's parsed
//! form (`ResourceAgentMetadataDto`: parameters and actions as JSON), not the agent's XML; this
//! module writes it back as the OCF `<resource-agent>` document the rest of cibform reads
//! (parameters with type, default, options, `required`, `unique-group`, deprecation; actions
//! with their timeouts, intervals, roles, start delays and depths). Pure; no I/O.

use crate::cib::xml::Element;
use serde_json::Value;

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn parameter(p: &Value) -> Option<Element> {
    let name = text(p, "name")?;
    let mut e = Element::new("parameter")
        .with_attr("name", name)
        .with_attr("required", if flag(p, "required") { "1" } else { "0" });
    if let Some(g) = text(p, "unique_group") {
        e = e.with_attr("unique-group", g);
    }
    if flag(p, "deprecated") {
        let by = p.get("deprecated_by").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
        let dep = by
            .fold(Element::new("deprecated"), |d, n| d.with_child(Element::new("replaced-with").with_attr("name", n)));
        e = e.with_child(dep);
    }
    let mut content = Element::new("content").with_attr("type", text(p, "type").unwrap_or("string"));
    if let Some(d) = text(p, "default") {
        content = content.with_attr("default", d);
    }
    let options = p.get("enum_values").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
    content = options.fold(content, |c, o| c.with_child(Element::new("option").with_attr("value", o)));
    Some(e.with_child(content))
}

fn action(a: &Value) -> Option<Element> {
    let mut e = Element::new("action").with_attr("name", text(a, "name")?);
    for (key, attr) in [
        ("timeout", "timeout"),
        ("interval", "interval"),
        ("role", "role"),
        ("start-delay", "start-delay"),
        ("start_delay", "start-delay"),
        ("depth", "depth"),
    ] {
        if let Some(v) = text(a, key) {
            e = e.with_attr(attr, v);
        }
    }
    Some(e)
}

/// The OCF metadata document of pcs's `ResourceAgentMetadataDto`; `None` when `dto` is not one.
pub fn to_xml(dto: &Value) -> Option<String> {
    let kind = dto.pointer("/name/type").and_then(Value::as_str)?;
    let params = dto.get("parameters")?.as_array()?;
    let actions = dto.get("actions")?.as_array()?;
    let ps = params.iter().filter_map(parameter).fold(Element::new("parameters"), Element::with_child);
    let acts = actions.iter().filter_map(action).fold(Element::new("actions"), Element::with_child);
    Some(Element::new("resource-agent").with_attr("name", kind).with_child(ps).with_child(acts).to_xml())
}

#[cfg(test)]
mod tests {
    use crate::validate::metadata::{self, ValueType};

    #[test]
    fn pcs_metadata_reads_back_as_the_agents_own() {
        let dto = serde_json::json!({
            "name": {"standard": "ocf", "provider": "heartbeat", "type": "IPaddr2"},
            "shortdesc": "x", "longdesc": null,
            "parameters": [
                {"name": "ip", "shortdesc": null, "longdesc": null, "type": "string", "default": null,
                 "enum_values": null, "required": true, "advanced": false, "deprecated": false,
                 "deprecated_by": [], "deprecated_desc": null, "unique_group": "address", "reloadable": false},
                {"name": "mode", "type": "select", "default": "a<b", "enum_values": ["a<b", "c"],
                 "required": false, "deprecated": true, "deprecated_by": ["newmode"], "unique_group": null},
                {"name": "cidr_netmask", "type": "integer", "default": "", "required": false}
            ],
            "actions": [
                {"name": "start", "timeout": "20s", "interval": null, "role": null, "start-delay": null,
                 "depth": null, "automatic": false, "on_target": false},
                {"name": "monitor", "timeout": "20s", "interval": "10s", "role": null, "start-delay": "1s", "depth": "0"}
            ]
        });
        let xml = super::to_xml(&dto).unwrap();
        let meta = metadata::parse(&xml).unwrap();
        let ip = meta.param("ip").unwrap();
        assert!(ip.required && ip.unique_group.as_deref() == Some("address") && !ip.deprecated);
        let mode = meta.param("mode").unwrap();
        assert_eq!(mode.ty, ValueType::Select(vec!["a<b".into(), "c".into()]));
        assert_eq!(
            (mode.deprecated, mode.replaced_by.clone(), mode.default.as_deref()),
            (true, vec!["newmode".to_string()], Some("a<b"))
        );
        assert_eq!(meta.param("cidr_netmask").unwrap().default, None);
        assert_eq!(meta.actions, ["start", "monitor"]);
        assert!(xml.contains(r#"interval="10s""#) && xml.contains(r#"start-delay="1s""#), "{xml}");
        assert_eq!(super::to_xml(&serde_json::json!({"status": "error"})), None);
    }
}
