//! The one masking rule: which names hold secrets, and how a value is shown when one does.
//!
//! A name is sensitive when one of its words is a secret word (`password`, `passwd`, `pw`,
//! `secret`, `token`, `key`, `apikey`, `credentials`, `private`, `community`, ...) or it is one of
//! the file's own `policy: { sensitive: [...] }` names. Words are split on `_`, `-`, `.`, spaces,
//! camelCase and digits, case-insensitively: `ssh_key`, `api-key`, `apiKey`, `db.password2` are
//! sensitive; `keepalive`, `monkey`, `passive` are not. Every printer and every message that may
//! show a value asks this module. Pure functions; no I/O.

use crate::cib::xml::{Element, Node};

/// What a masked value is shown as.
pub const MASK: &str = "(sensitive value)";

/// Words that make a name sensitive.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "passphrase",
    "pass",
    "pw",
    "pwd",
    "secret",
    "secrets",
    "token",
    "tokens",
    "key",
    "keys",
    "apikey",
    "authkey",
    "privkey",
    "sshkey",
    "secretkey",
    "accesskey",
    "authtoken",
    "private",
    "credential",
    "credentials",
    "community",
];

/// The words of a name: lowercase runs split at separators, camelCase humps (`apiKey`,
/// `DBPassword`) and between letters and digits.
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            out.extend((!cur.is_empty()).then(|| std::mem::take(&mut cur)));
            continue;
        }
        if let Some(&p) = i.checked_sub(1).and_then(|j| chars.get(j)).filter(|p| p.is_alphanumeric()) {
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let hump = (p.is_lowercase() && c.is_uppercase()) || (p.is_uppercase() && c.is_uppercase() && next_lower);
            if hump || p.is_ascii_digit() != c.is_ascii_digit() {
                out.extend((!cur.is_empty()).then(|| std::mem::take(&mut cur)));
            }
        }
        cur.extend(c.to_lowercase());
    }
    out.extend((!cur.is_empty()).then_some(cur));
    out
}

/// The masking rule, with the names a cluster file adds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mask {
    extra: Vec<String>,
}

impl Mask {
    /// The built-in rule plus `extra` names (each matches a whole name or one of its words,
    /// case-insensitively).
    pub fn new(extra: &[String]) -> Self {
        Mask { extra: extra.iter().map(|e| e.to_lowercase()).collect() }
    }

    /// Whether values of the attribute `name` (an nvpair name, a YAML key) are secret.
    pub fn is_sensitive(&self, name: &str) -> bool {
        let lower = name.to_lowercase();
        let words = words(name);
        self.extra.contains(&lower)
            || words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()) || self.extra.contains(w))
    }

    /// Whether a plan key (`params.password`, `[set-id].token`, `meta.secret`) names a secret.
    pub fn key_is_sensitive(&self, key: &str) -> bool {
        let last = key.rsplit(' ').next().unwrap_or(key);
        let name = last.rsplit_once("].").map_or(last, |(_, n)| n);
        self.is_sensitive(name)
    }

    /// A value as data: itself, or with every secret in it masked. Besides values of sensitive
    /// keys, this masks the `params.NAME=`/`meta.NAME=` settings of an operation line and the
    /// nvpairs and attributes of CIB XML text.
    pub fn value(&self, key: &str, v: &str) -> String {
        if self.key_is_sensitive(key) {
            MASK.into()
        } else if key.starts_with("op ") {
            self.op_settings(v)
        } else if key == "xml" || key.starts_with("xml ") || v.trim_start().starts_with('<') {
            self.xml_text(v)
        } else {
            v.to_string()
        }
    }

    /// A value as shown in text: quoted, or the mask.
    pub fn shown(&self, key: &str, v: &str) -> String {
        let masked = self.value(key, v);
        if masked == MASK {
            masked
        } else {
            format!("{masked:?}")
        }
    }

    /// `timeout=20s params.password=x meta.a=b`: a sensitive setting's value runs to the next
    /// `params.`/`meta.` setting (a value may hold spaces), and is masked.
    fn op_settings(&self, v: &str) -> String {
        let mut out: Vec<String> = Vec::new();
        let mut hiding = false;
        for tok in v.split(' ') {
            match tok.split_once('=').filter(|(k, _)| k.starts_with("params.") || k.starts_with("meta.")) {
                Some((k, _)) => {
                    hiding = self.key_is_sensitive(k);
                    out.push(if hiding { format!("{k}={MASK}") } else { tok.to_string() });
                }
                None if hiding => {}
                None => out.push(tok.to_string()),
            }
        }
        out.join(" ")
    }

    /// CIB XML with the values of sensitive nvpairs and attributes masked; XML that does not
    /// parse cannot be checked, so it is not shown.
    pub fn xml_text(&self, text: &str) -> String {
        match Element::parse(text) {
            Ok(mut el) if self.xml_holds_secret(&el) => {
                self.mask_element(&mut el);
                crate::plan::view::canonical_xml(&el)
            }
            Ok(_) => text.to_string(),
            Err(_) => "(XML that cannot be parsed, not shown)".into(),
        }
    }

    /// Whether an element or anything in it holds a secret value.
    pub fn xml_holds_secret(&self, el: &Element) -> bool {
        let nvpair = el.name == "nvpair" && el.attr("name").is_some_and(|n| self.is_sensitive(n));
        nvpair || el.attrs.iter().any(|(k, _)| self.is_sensitive(k)) || el.elements().any(|c| self.xml_holds_secret(c))
    }

    fn mask_element(&self, el: &mut Element) {
        if el.name == "nvpair" && el.attr("name").is_some_and(|n| self.is_sensitive(n)) && el.attr("value").is_some() {
            el.set_attr("value", MASK);
        }
        for (k, v) in &mut el.attrs {
            if self.is_sensitive(k) {
                *v = MASK.into();
            }
        }
        for c in &mut el.children {
            if let Node::Element(c) = c {
                self.mask_element(c);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_rule_table() {
        let m = Mask::default();
        for yes in [
            "password",
            "PASSWORD",
            "passwd",
            "passwd_script",
            "pw",
            "ssh_key",
            "api-key",
            "api_key",
            "apikey",
            "apiKey",
            "key",
            "token",
            "auth_token",
            "client.secret",
            "private_key",
            "credentials",
            "snmp_community",
            "db.password2",
            "ssl-passphrase",
            "DBPassword",
            "SSHKey",
        ] {
            assert!(m.is_sensitive(yes), "`{yes}` must be sensitive");
        }
        for no in [
            "keepalive",
            "monkey",
            "passive",
            "bypass",
            "ip",
            "username",
            "login",
            "host_list",
            "pcmk_host_map",
            "resource-stickiness",
            "target-role",
            "keyspace",
            "tokenizer",
            "cidr_netmask",
        ] {
            assert!(!m.is_sensitive(no), "`{no}` must not be sensitive");
        }
    }

    #[test]
    fn words_split_at_separators_humps_and_digits() {
        assert_eq!(words("apiKey"), ["api", "key"]);
        assert_eq!(words("DBPassword"), ["db", "password"]);
        assert_eq!(words("db.password2"), ["db", "password", "2"]);
        assert_eq!(words("--a__b--"), ["a", "b"]);
    }

    #[test]
    fn the_files_own_names_are_added() {
        let m = Mask::new(&["Community_String".into(), "vault".into()]);
        assert!(m.is_sensitive("community_string"));
        assert!(m.is_sensitive("vault-ref"));
        assert!(!m.is_sensitive("vaults"));
    }

    #[test]
    fn plan_keys_name_their_attribute() {
        let m = Mask::default();
        assert!(m.key_is_sensitive("params.password"));
        assert!(m.key_is_sensitive("meta.[ia-1].token"));
        assert!(!m.key_is_sensitive("params.[set-with-secret-in-id].ip"));
        assert!(!m.key_is_sensitive("op monitor 10s"));
    }

    #[test]
    fn operation_settings_and_xml_are_masked_inside() {
        let m = Mask::default();
        assert_eq!(
            m.value("op monitor 60s", "timeout=20s params.password=a b c meta.x=1 params.api_key=k"),
            format!("timeout=20s params.password={MASK} meta.x=1 params.api_key={MASK}")
        );
        let xml = r#"<alerts><alert id="a" path="/x"><instance_attributes id="i"><nvpair id="n" name="password" value="RAW"/><nvpair id="m" name="ip" value="1.2.3.4"/></instance_attributes></alert></alerts>"#;
        let shown = m.value("xml", xml);
        assert!(!shown.contains("RAW") && shown.contains(MASK) && shown.contains("1.2.3.4"), "{shown}");
        assert_eq!(m.value("xml", "<a"), "(XML that cannot be parsed, not shown)");
        assert_eq!(m.value("params.ip", "1.2.3.4"), "1.2.3.4");
    }
}
