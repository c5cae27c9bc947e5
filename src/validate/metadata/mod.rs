//! Metadata: what Pacemaker's daemons, resource agents and fence agents say they accept, read
//! from OCF metadata (`crm_resource --show-metadata`, `pacemaker-schedulerd metadata`).
//!
//! Parsing only: OCF 1.0 and 1.1 are read into one form, normalised the way pcs does (fence
//! devices accept the `pcmk_*` parameters of `pacemaker-fenced`, `port` is filled in by
//! Pacemaker, OCF agents of the heartbeat and pacemaker providers accept `trace_ra` and
//! `trace_file`). The shipped snapshot (`snapshot`) is one source; a cluster node is another
//! (fetched in `ops`). No I/O here, and no judgement of a configuration (`validate::agents` and
//! `validate::options` judge).

pub mod snapshot;

use std::collections::HashMap;

/// The type of a parameter's value, as its metadata declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueType {
    String,
    Boolean,
    /// An integer; for Pacemaker's own options also `INFINITY`/`-INFINITY` (as pcs accepts).
    Integer,
    /// A Pacemaker duration (`time`, `duration`, `timeout`, `interval`).
    Duration,
    /// A number of seconds (fence agents' `second`).
    Seconds,
    /// A non-negative integer followed by `%`.
    Percentage,
    /// One of the listed values.
    Select(Vec<String>),
}

/// One parameter of an agent or one option of a daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub ty: ValueType,
    pub required: bool,
    /// Resources of one agent may not share the values of a unique group (OCF 1.1
    /// `unique-group`; OCF 1.0 `unique="1"` is a group of its own).
    pub unique_group: Option<String>,
    pub deprecated: bool,
    /// The parameters that replace a deprecated one.
    pub replaced_by: Vec<String>,
    pub default: Option<String>,
}

/// An agent's (or daemon's) metadata.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentMeta {
    pub params: Vec<Param>,
    /// The actions the agent advertises (`start`, `monitor`, ...).
    pub actions: Vec<String>,
}

impl AgentMeta {
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.params.iter().map(|p| p.name.as_str())
    }

    /// The names a required parameter may be given as: itself and every parameter it replaces,
    /// transitively (pcs's rule: setting the old name satisfies the requirement).
    pub fn aliases_of<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        let mut out = vec![self.param(name).map_or(name, |p| p.name.as_str())];
        let mut i = 0;
        while i < out.len() {
            let current = out[i];
            for p in &self.params {
                if p.replaced_by.iter().any(|r| r == current) && !out.contains(&p.name.as_str()) {
                    out.push(&p.name);
                }
            }
            i += 1;
        }
        out
    }
}

/// Agents declare `<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">`; cibform's parsers refuse
/// DTDs (entity expansion), and this one carries nothing, so it is dropped.
pub fn without_doctype(xml: &str) -> std::borrow::Cow<'_, str> {
    match (xml.find("<!DOCTYPE"), xml.find("<resource-agent")) {
        (Some(d), Some(r)) if d < r => format!("{}{}", &xml[..d], &xml[r..]).into(),
        _ => xml.into(),
    }
}

/// Parse one `<resource-agent>` document.
///
/// # Errors
/// The text is not XML or has no `<resource-agent>` root.
pub fn parse(xml: &str) -> Result<AgentMeta, String> {
    let xml = without_doctype(xml);
    let doc = roxmltree::Document::parse(&xml).map_err(|e| e.to_string())?;
    let root = doc.root_element();
    if root.tag_name().name() != "resource-agent" {
        return Err(format!("the root element is `<{}>`, not `<resource-agent>`", root.tag_name().name()));
    }
    Ok(from_node(root))
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name(name))
}

/// Read a `<resource-agent>` element.
pub fn from_node(root: roxmltree::Node) -> AgentMeta {
    let mut params: Vec<Param> = Vec::new();
    let mut obsoleted_by: HashMap<String, Vec<String>> = HashMap::new();
    for p in child(root, "parameters").into_iter().flat_map(|ps| ps.children().filter(|c| c.has_tag_name("parameter")))
    {
        let Some(name) = p.attribute("name") else { continue };
        let content = child(p, "content");
        let ty = content.map_or(ValueType::String, |c| value_type(c));
        let dep = child(p, "deprecated");
        let replaced_by: Vec<String> = dep
            .into_iter()
            .flat_map(|d| d.children().filter(|c| c.has_tag_name("replaced-with")))
            .filter_map(|r| r.attribute("name").map(str::to_string))
            .collect();
        if let Some(old) = p.attribute("obsoletes") {
            obsoleted_by.entry(old.to_string()).or_default().push(name.to_string());
        }
        let unique_group = p
            .attribute("unique-group")
            .map(str::to_string)
            .or_else(|| (p.attribute("unique") == Some("1")).then(|| format!("_{name}")));
        params.push(Param {
            name: name.to_string(),
            ty,
            required: p.attribute("required") == Some("1"),
            unique_group,
            deprecated: dep.is_some() || p.attribute("deprecated") == Some("1"),
            replaced_by,
            default: content.and_then(|c| c.attribute("default")).filter(|d| !d.is_empty()).map(str::to_string),
        });
    }
    for p in &mut params {
        if let Some(new) = obsoleted_by.remove(&p.name) {
            p.replaced_by.extend(new);
        }
    }
    let actions = child(root, "actions")
        .into_iter()
        .flat_map(|a| a.children().filter(|c| c.has_tag_name("action")))
        .filter_map(|a| a.attribute("name").map(str::to_string))
        .fold(Vec::new(), |mut v, a| {
            if !v.contains(&a) {
                v.push(a);
            }
            v
        });
    AgentMeta { params, actions }
}

fn value_type(content: roxmltree::Node) -> ValueType {
    let options: Vec<String> = content
        .children()
        .filter(|c| c.has_tag_name("option"))
        .filter_map(|o| o.attribute("value").map(str::to_string))
        .collect();
    match content.attribute("type").unwrap_or("string") {
        "boolean" => ValueType::Boolean,
        "integer" => ValueType::Integer,
        "time" | "duration" | "timeout" | "interval" => ValueType::Duration,
        "second" => ValueType::Seconds,
        "percentage" => ValueType::Percentage,
        "select" | "enum" if !options.is_empty() => ValueType::Select(options),
        _ => ValueType::String,
    }
}

/// The agent as pcs sees it: a fence device also accepts `pacemaker-fenced`'s parameters and
/// takes `port` (and what replaces it) from `pcmk_host_map`/`pcmk_host_list`, so `port` is not
/// required, and its `action` parameter is deprecated in favour of `pcmk_off_action` and
/// `pcmk_reboot_action`; `help` and `version` are command-line switches, not parameters. OCF
/// agents of the heartbeat and pacemaker providers accept `trace_ra` and `trace_file`.
pub fn normalise(agent: &crate::model::Agent, mut meta: AgentMeta, fenced: Option<&AgentMeta>) -> AgentMeta {
    // A type the parameter's own default contradicts (ping's `dampen`: "integer", default `5s`)
    // says nothing about what the agent accepts: such a parameter is checked as text.
    for p in &mut meta.params {
        let contradicted = p.default.as_deref().is_some_and(|d| {
            super::values::check(&p.ty, d, super::values::Reader::Agent) != super::values::Verdict::Ok
        });
        if contradicted {
            p.ty = ValueType::String;
        }
    }
    if agent.class == "stonith" {
        meta.params.retain(|p| p.name != "help" && p.name != "version");
        let mut port_like = vec!["port".to_string()];
        let mut i = 0;
        while i < port_like.len() {
            let next: Vec<String> = meta.param(&port_like[i]).map(|p| p.replaced_by.clone()).unwrap_or_default();
            port_like.extend(next.into_iter().filter(|n| !port_like.contains(n)).collect::<Vec<_>>());
            i += 1;
        }
        for p in &mut meta.params {
            if port_like.contains(&p.name) {
                p.required = false;
            }
            if p.name == "action" {
                p.required = false;
                p.deprecated = true;
                p.replaced_by = vec!["pcmk_off_action".into(), "pcmk_reboot_action".into()];
            }
        }
        if let Some(f) = fenced {
            let extra: Vec<Param> = f.params.iter().filter(|p| meta.param(&p.name).is_none()).cloned().collect();
            meta.params.extend(extra);
        }
    }
    let traced = agent.class == "ocf" && matches!(agent.provider.as_deref(), Some("heartbeat" | "pacemaker"));
    if traced {
        for (name, ty) in [("trace_ra", ValueType::Integer), ("trace_file", ValueType::String)] {
            if !meta.params.iter().any(|p| p.name.eq_ignore_ascii_case(name)) {
                meta.params.push(Param {
                    name: name.into(),
                    ty,
                    required: false,
                    unique_group: None,
                    deprecated: false,
                    replaced_by: Vec::new(),
                    default: None,
                });
            }
        }
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;

    const OCF_1_0: &str = r#"<resource-agent name="x"><parameters>
        <parameter name="ip" unique="1" required="1"><content type="string"/></parameter>
        <parameter name="ipaddr" deprecated="1" required="1"><content type="string"/></parameter>
        <parameter name="addr" obsoletes="ipaddr" required="1"><content type="string"/></parameter>
        <parameter name="mode"><content type="select" default="a"><option value="a"/><option value="b"/></content></parameter>
        <parameter name="n"><content type="integer" default="5"/></parameter>
      </parameters><actions><action name="start"/><action name="monitor"/><action name="monitor" role="Promoted"/></actions></resource-agent>"#;

    #[test]
    fn ocf_1_0_unique_obsoletes_and_select_are_read() {
        let m = parse(OCF_1_0).unwrap();
        assert_eq!(m.param("ip").unwrap().unique_group.as_deref(), Some("_ip"));
        assert_eq!(m.param("ipaddr").unwrap().replaced_by, vec!["addr".to_string()]);
        assert!(m.param("ipaddr").unwrap().deprecated);
        assert_eq!(m.aliases_of("addr"), vec!["addr", "ipaddr"]);
        assert_eq!(m.param("mode").unwrap().ty, ValueType::Select(vec!["a".into(), "b".into()]));
        assert_eq!(m.param("n").unwrap().default.as_deref(), Some("5"));
        assert_eq!(m.actions, vec!["start".to_string(), "monitor".to_string()]);
    }

    #[test]
    fn ocf_1_1_deprecation_and_unique_groups_are_read() {
        let m = parse(
            r#"<resource-agent name="y"><parameters>
            <parameter name="old"><deprecated><replaced-with name="new"/></deprecated><content type="boolean"/></parameter>
            <parameter name="new" unique-group="g"><content type="time"/></parameter>
            </parameters></resource-agent>"#,
        )
        .unwrap();
        assert!(m.param("old").unwrap().deprecated);
        assert_eq!(m.param("old").unwrap().replaced_by, vec!["new".to_string()]);
        assert_eq!(m.param("new").unwrap().unique_group.as_deref(), Some("g"));
        assert_eq!(m.param("new").unwrap().ty, ValueType::Duration);
    }

    #[test]
    fn fence_devices_take_fenced_parameters_and_port_is_not_required() {
        let agent = crate::model::Agent { class: "stonith".into(), provider: None, kind: "fence_x".into() };
        let dev = parse(
            r#"<resource-agent name="fence_x"><parameters>
            <parameter name="port" required="1"/><parameter name="plug" obsoletes="port" required="1"/>
            <parameter name="action" required="1"/><parameter name="help"/></parameters></resource-agent>"#,
        )
        .unwrap();
        let fenced = parse(
            r#"<resource-agent name="f"><parameters><parameter name="pcmk_host_list"/></parameters></resource-agent>"#,
        )
        .unwrap();
        let m = normalise(&agent, dev, Some(&fenced));
        assert!(!m.param("port").unwrap().required && !m.param("plug").unwrap().required);
        assert!(m.param("action").unwrap().deprecated && !m.param("action").unwrap().required);
        assert!(m.param("help").is_none() && m.param("pcmk_host_list").is_some());
        assert!(m.param("trace_ra").is_none());
    }

    #[test]
    fn a_type_its_own_default_contradicts_is_not_trusted() {
        let agent =
            crate::model::Agent { class: "ocf".into(), provider: Some("pacemaker".into()), kind: "ping".into() };
        let m = parse(
            r#"<resource-agent name="ping"><parameters>
            <parameter name="dampen"><content type="integer" default="5s"/></parameter>
            <parameter name="multiplier"><content type="integer" default="1"/></parameter>
            </parameters></resource-agent>"#,
        )
        .unwrap();
        let m = normalise(&agent, m, None);
        assert_eq!(m.param("dampen").unwrap().ty, ValueType::String);
        assert_eq!(m.param("multiplier").unwrap().ty, ValueType::Integer);
        assert!(m.param("trace_ra").is_some() && m.param("trace_file").is_some());
    }
}
