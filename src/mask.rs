//! The one masking rule: which names hold secrets, and how a value is shown when one does.
//!
//! A name is sensitive when one of its words is a secret word (`password`, `passwd`, `pw`,
//! `secret`, `token`, `key`, `apikey`, `credentials`, `private`, `community`, ...) or it is one of
//! the file's own `policy: { sensitive: [...] }` names. Words are split on `_`, `-`, `.`, spaces,
//! camelCase and digits, case-insensitively: `ssh_key`, `api-key`, `apiKey`, `db.password2` are
//! sensitive; `keepalive`, `monkey`, `passive` are not. Every printer and every message that may
//! show a value asks this module. Pure functions; no I/O.
//!
//! Whatever its name, a value never shows the credentials of a URL in it (`url_credentials`):
//! `https://user:PASS@host` shows its user, not its password.

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

/// corosync.conf's totem timings (corosync.conf(5)): `token` is a secret word elsewhere (a cloud
/// agent's API token), but in corosync.conf these are milliseconds an admin must be able to
/// review. corosync.conf holds no secret of its own (its key is a separate file).
const COROSYNC_TIMINGS: &[&str] =
    &["token", "token_coefficient", "token_retransmit", "token_retransmits_before_loss_const", "token_warning"];

/// The masking rule, with the names a cluster file adds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mask {
    extra: Vec<String>,
    /// Names are corosync.conf keys (`totem.token`): its timings are not secrets.
    corosync: bool,
}

impl Mask {
    /// The built-in rule plus `extra` names (each matches a whole name or one of its words,
    /// case-insensitively).
    pub fn new(extra: &[String]) -> Self {
        Mask { extra: extra.iter().map(|e| e.to_lowercase()).collect(), corosync: false }
    }

    /// The same rule for corosync.conf keys, which shows its token timings.
    pub fn for_corosync(&self) -> Mask {
        Mask { corosync: true, ..self.clone() }
    }

    /// Whether values of the attribute `name` (an nvpair name, a YAML key) are secret.
    pub fn is_sensitive(&self, name: &str) -> bool {
        let lower = name.to_lowercase();
        let words = words(name);
        if self.extra.contains(&lower) || words.iter().any(|w| self.extra.contains(w)) {
            return true;
        }
        let timing = self.corosync && COROSYNC_TIMINGS.contains(&lower.rsplit('.').next().unwrap_or_default());
        !timing && words.iter().any(|w| SECRET_WORDS.contains(&w.as_str()))
    }

    /// Whether a plan key (`params.password`, `[set-id].token`, `meta.secret`) names a secret.
    /// An alert recipient's key (`ALERT recipient VALUE`) ends in the recipient's address, not
    /// a name: its settings are masked one by one (`value`), its address's credentials by `urls`.
    pub fn key_is_sensitive(&self, key: &str) -> bool {
        if key.split(' ').nth(1) == Some("recipient") {
            return false;
        }
        let last = key.rsplit(' ').next().unwrap_or(key);
        let name = last.rsplit_once("].").map_or(last, |(_, n)| n);
        self.is_sensitive(name)
    }

    /// A value as data: itself, or with every secret in it masked. Besides values of sensitive
    /// keys, this masks the `params.NAME=`/`meta.NAME=` settings of an operation line and the
    /// nvpairs and attributes of CIB XML text. An alert recipient's line (`ALERT recipient VALUE`)
    /// is `description=... params.NAME=... meta.NAME=...`, masked as an operation's.
    pub fn value(&self, key: &str, v: &str) -> String {
        if self.key_is_sensitive(key) {
            MASK.into()
        } else if key.starts_with("op ") || key.split(' ').nth(1) == Some("recipient") {
            urls(&self.op_settings(v))
        } else if key == "xml" || key.starts_with("xml ") || v.trim_start().starts_with('<') {
            urls(&self.xml_text(v))
        } else {
            urls(v)
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
                crate::cib::canonical_xml(&el)
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

/// Source text (a cluster file, a CIB) as a diagnostic may show it: the values of sensitive
/// `KEY: VALUE` entries and of sensitive XML nvpairs and attributes replaced by `*`, byte for
/// byte, so every span still points at the same place. Lexical (the text may not parse).
pub fn source_text(mask: &Mask, text: &str) -> String {
    let mut out = text.as_bytes().to_vec();
    yaml_values(mask, text.as_bytes(), &mut out);
    xml_values(mask, text.as_bytes(), &mut out);
    for r in url_credentials(text) {
        hide(&mut out, r.start, r.end);
    }
    // Only ASCII bytes were replaced, whole characters at a time.
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

fn hide(out: &mut [u8], from: usize, to: usize) {
    // Ranges start and end at ASCII delimiters, so whole characters are replaced.
    for c in out.iter_mut().take(to).skip(from) {
        if *c != b'\n' {
            *c = b'*';
        }
    }
}

fn is_name_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.') || c >= 0x80
}

/// `KEY: VALUE` with a sensitive KEY: the value to the end of its flow item or line, and the
/// more-indented lines of a block value after it.
fn yaml_values(mask: &Mask, b: &[u8], out: &mut [u8]) {
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'#' if i == 0 || b[i - 1].is_ascii_whitespace() => {
                i = b[i..].iter().position(|&c| c == b'\n').map_or(b.len(), |n| i + n);
                continue;
            }
            c if is_name_byte(c) && (i == 0 || !is_name_byte(b[i - 1])) => {
                let end = i + b[i..].iter().take_while(|&&c| is_name_byte(c)).count();
                let key = std::str::from_utf8(&b[i..end]).unwrap_or_default();
                let quote = usize::from(matches!(b.get(end), Some(b'"' | b'\'')));
                let colon = end + quote;
                let value_follows = b.get(colon) == Some(&b':') && b.get(colon + 1).is_none_or(u8::is_ascii_whitespace);
                if value_follows && mask.is_sensitive(key) {
                    let stop = value_end(b, colon + 1, depth > 0);
                    let from = colon + 1 + b[colon + 1..stop].iter().take_while(|c| c.is_ascii_whitespace()).count();
                    let to = stop - b[from..stop].iter().rev().take_while(|c| c.is_ascii_whitespace()).count();
                    hide(out, from, to);
                    if depth == 0 {
                        hide_block(b, out, i, stop);
                    }
                    i = stop;
                    continue;
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
}

/// Where an inline value starting at `from` ends: a `,`, `}` or `]` outside quotes and brackets
/// in flow context, else the end of the line (or of a quoted scalar spanning lines).
fn value_end(b: &[u8], from: usize, flow: bool) -> usize {
    let (mut depth, mut quote, mut i) = (0usize, None::<u8>, from);
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if matches!(c, b'"' | b'\'') && b[from..i].iter().all(u8::is_ascii_whitespace) => quote = Some(c),
            None if c == b'\n' => return i,
            None if c == b'#' && b[i - 1].is_ascii_whitespace() => return i,
            None if matches!(c, b'{' | b'[') => depth += 1,
            None if flow && depth == 0 && matches!(c, b',' | b'}' | b']') => return i,
            None if matches!(c, b'}' | b']') => depth = depth.saturating_sub(1),
            None => {}
        }
        i += 1;
    }
    b.len()
}

/// The lines after a key's line that are indented deeper than it (a block scalar or mapping).
fn hide_block(b: &[u8], out: &mut [u8], key_at: usize, stop: usize) {
    let line_start = b[..key_at].iter().rposition(|&c| c == b'\n').map_or(0, |n| n + 1);
    let indent = b[line_start..].iter().take_while(|&&c| c == b' ').count();
    let mut i = b[stop..].iter().position(|&c| c == b'\n').map_or(b.len(), |n| stop + n + 1);
    while i < b.len() {
        let next = b[i..].iter().position(|&c| c == b'\n').map_or(b.len(), |n| i + n + 1);
        let deeper = b[i..next].iter().take_while(|&&c| c == b' ').count();
        if !b[i..next].iter().all(u8::is_ascii_whitespace) {
            if deeper <= indent {
                return;
            }
            hide(out, i + deeper, next);
        }
        i = next;
    }
}

/// In every `<tag ...>`: the `value` of an nvpair with a sensitive `name`, and every attribute
/// with a sensitive name.
fn xml_values(mask: &Mask, b: &[u8], out: &mut [u8]) {
    let mut i = 0;
    while let Some(open) = b[i..].iter().position(|&c| c == b'<').map(|n| i + n) {
        let close = b[open..].iter().position(|&c| c == b'>').map_or(b.len(), |n| open + n);
        let attrs = xml_attrs(&b[open..close]);
        let secret_pair = attrs
            .iter()
            .any(|(k, v)| *k == "name" && mask.is_sensitive(&String::from_utf8_lossy(&b[open + v.0..open + v.1])));
        for (k, (from, to)) in &attrs {
            if mask.is_sensitive(k) || (secret_pair && *k == "value") {
                hide(out, open + from, open + to);
            }
        }
        i = close.max(open + 1);
    }
}

/// `name="value"` attributes of one tag: names and the byte ranges of their values.
fn xml_attrs(tag: &[u8]) -> Vec<(String, (usize, usize))> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(eq) = tag[i..].iter().position(|&c| c == b'=').map(|n| i + n) {
        let name_start = tag[..eq].iter().rposition(|&c| !is_name_byte(c) && c != b':').map_or(0, |n| n + 1);
        let mut v = eq + 1;
        if tag.get(v) == Some(&b'\\') {
            v += 1;
        }
        let Some(&q) = tag.get(v).filter(|&&q| q == b'"' || q == b'\'') else {
            i = eq + 1;
            continue;
        };
        let end = tag[v + 1..].iter().position(|&c| c == q).map_or(tag.len(), |n| v + 1 + n);
        let end = if end > v + 1 && tag[end - 1] == b'\\' { end - 1 } else { end };
        out.push((String::from_utf8_lossy(&tag[name_start..eq]).into_owned(), (v + 1, end)));
        i = end.max(eq + 1);
    }
    out
}

/// Schemes whose URL user is a login name, never a secret (`ssh://root@node1`, cibform's own
/// `remote://hacluster@node1:7777`): a lone user there is shown.
const LOGIN_SCHEMES: &[&str] = &["ssh", "sftp", "scp", "rsync", "remote", "remote+plain"];

/// The credentials of every URL in `text`, as byte ranges, in order and not overlapping: in
/// `SCHEME://USERINFO@HOST`, the password (what follows the userinfo's first `:`), or the whole
/// userinfo when it has no password (a lone name there is often a token, `https://TOKEN@host`)
/// unless the scheme's user is a login name (`LOGIN_SCHEMES`); and in its query, the value of a
/// parameter with a secret name (`?token=...`, `&api_key=...`, by the built-in name rule). The
/// authority ends where RFC 3986 ends it (`/`, `?`, `#`) and the URL at what cannot be in one (a
/// blank, a quote, `<`, `>`, a control character); the userinfo runs to its last `@`. `mailto:`
/// and other URLs without `//` have no userinfo.
///
/// Lexical, on purpose: the `url` crate parses one URL and normalises it (it re-encodes and
/// lowercases), so it can neither find URLs in running text nor say where in the original text
/// a password is, which masking needs (`source_text` keeps every byte offset).
pub fn url_credentials(original: &str) -> Vec<std::ops::Range<usize>> {
    if !original.contains("://") {
        return Vec::new();
    }
    // A mask already there is one opaque word (its blank must not end a URL), and stays as it is.
    let shadow = original.replace(MASK, &"x".repeat(MASK.len()));
    let text = shadow.as_str();
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("://").map(|n| from + n) {
        from = at + 3;
        let scheme_len = b[..at].iter().rev().take_while(|c| c.is_ascii_alphanumeric() || b"+-.".contains(c)).count();
        let scheme = &text[at - scheme_len..at];
        let Some(first) = scheme.bytes().position(|c| c.is_ascii_alphabetic()) else { continue };
        let authority_end = url_part_end(b, from, b"/?#");
        out.extend(userinfo_secret(&b[from..authority_end], &scheme[first..]).map(|r| from + r.start..from + r.end));
        query_secrets(text, authority_end, &mut out);
        from = authority_end.max(from);
    }
    out.retain(|r| !original[r.start..].starts_with(MASK));
    out.sort_by_key(|r| r.start);
    out.into_iter().fold(Vec::new(), |mut merged: Vec<std::ops::Range<usize>>, r| {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
        merged
    })
}

/// Where the part of a URL starting at `from` ends: at one of `stops`, or where the URL does.
fn url_part_end(b: &[u8], from: usize, stops: &[u8]) -> usize {
    b[from..]
        .iter()
        .position(|&c| {
            stops.contains(&c) || b"\\\"'<>`".contains(&c) || c.is_ascii_whitespace() || c.is_ascii_control()
        })
        .map_or(b.len(), |n| from + n)
}

/// The secret part of an authority (relative to its start).
fn userinfo_secret(authority: &[u8], scheme: &str) -> Option<std::ops::Range<usize>> {
    let user_end = authority.iter().rposition(|&c| c == b'@')?;
    match authority[..user_end].iter().position(|&c| c == b':') {
        Some(colon) => (colon + 1 < user_end).then_some(colon + 1..user_end),
        None => (user_end > 0 && !LOGIN_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str())).then_some(0..user_end),
    }
}

/// The values of secret-named parameters in the query of the URL whose path starts at `from`.
fn query_secrets(text: &str, from: usize, out: &mut Vec<std::ops::Range<usize>>) {
    let b = text.as_bytes();
    let path_end = url_part_end(b, from, b"?#");
    if b.get(path_end) != Some(&b'?') {
        return;
    }
    let mut at = path_end + 1;
    let end = url_part_end(b, at, b"#");
    let names = Mask::default();
    while at < end {
        let pair_end = b[at..end].iter().position(|&c| c == b'&' || c == b';').map_or(end, |n| at + n);
        if let Some(eq) = b[at..pair_end].iter().position(|&c| c == b'=').map(|n| at + n) {
            if eq + 1 < pair_end && names.is_sensitive(&text[at..eq]) {
                out.push(eq + 1..pair_end);
            }
        }
        at = pair_end + 1;
    }
}

/// `text` with the credentials of every URL in it shown as `MASK`. Credentials already hidden by
/// `source_text` (all `*`) are left as they are, so a diagnostic's columns stay right.
pub fn urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for r in url_credentials(text).into_iter().filter(|r| !text[r.clone()].bytes().all(|c| c == b'*')) {
        out.push_str(&text[last..r.start]);
        out.push_str(MASK);
        last = r.end;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corosync_token_timings_showed_as_sensitive_values() {
        let m = Mask::default();
        assert!(m.is_sensitive("token") && m.key_is_sensitive("totem.token"), "elsewhere a token is a secret");
        let c = m.for_corosync();
        for k in ["totem.token", "token_coefficient", "totem.token_retransmits_before_loss_const"] {
            assert!(!c.key_is_sensitive(k), "{k}");
        }
        assert!(c.key_is_sensitive("totem.secret") && c.key_is_sensitive("quorum.device.net.password"));
        let own = Mask::new(&["token".to_string()]).for_corosync();
        assert!(own.key_is_sensitive("totem.token"), "the file's own policy still wins");
    }

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
    fn source_text_hides_values_and_keeps_every_offset() {
        let m = Mask::default();
        let yaml = "r:\n  params: { ip: 1.2.3.4, password: [SEK, b], api_key: \"A, B\" }\n  meta:\n    token: TOK # c\n    secret: |\n      BLOCK\n      MORE\n    keepalive: 5\nraw:\n  - '<nvpair id=\"n\" name=\"passwd\" value=\"XML\"/><a password=\"P2\" ip=\"9\"/>'\n";
        let shown = source_text(&m, yaml);
        assert_eq!(shown.len(), yaml.len());
        assert_eq!(shown.lines().count(), yaml.lines().count());
        for secret in ["SEK", "A, B", "TOK", "BLOCK", "MORE", "XML", "P2"] {
            assert!(!shown.contains(secret), "`{secret}` in:\n{shown}");
        }
        for kept in ["1.2.3.4", "keepalive: 5", "# c", "ip=\"9\""] {
            assert!(shown.contains(kept), "`{kept}` lost:\n{shown}");
        }
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

    #[test]
    fn url_credentials_were_shown_in_values() {
        let shown = |v: &str| Mask::default().value("params.url", v);
        let cases = [
            ("https://scott:tiger@example.com/a?b=c", format!("https://scott:{MASK}@example.com/a?b=c")),
            ("postgres://app:p%40ss:w@db:5432/x", format!("postgres://app:{MASK}@db:5432/x")),
            (
                "see HTTPS://u:p@h and ftp://v:q@[fd00::1]:21/",
                format!("see HTTPS://u:{MASK}@h and ftp://v:{MASK}@[fd00::1]:21/"),
            ),
            ("https://TOKEN@github.com/x.git", format!("https://{MASK}@github.com/x.git")),
            ("a,b:x://u:p@h", format!("a,b:x://u:{MASK}@h")),
            ("https://u:@h", "https://u:@h".into()),
            ("ssh://root@node1", "ssh://root@node1".into()),
            ("remote://hacluster@n1:7777", "remote://hacluster@n1:7777".into()),
            ("mailto:ops@example.com", "mailto:ops@example.com".into()),
            ("https://example.com/@user:x", "https://example.com/@user:x".into()),
            ("https://h/p?next=http://u:p@i", format!("https://h/p?next=http://u:{MASK}@i")),
            ("://u:p@h", "://u:p@h".into()),
            (
                "https://h/x?a=1&token=T&api_key=K;sig=s#frag",
                format!("https://h/x?a=1&token={MASK}&api_key={MASK};sig=s#frag"),
            ),
            ("https://h/?password=&x=y", "https://h/?password=&x=y".into()),
            ("https://h/?token=http://u:p@i x", format!("https://h/?token={MASK} x")),
        ];
        for (value, want) in cases {
            assert_eq!(shown(value), want, "{value}");
        }
        // In settings, XML, and whatever the key.
        let m = Mask::default();
        let op = m.value("op monitor 10s", "timeout=20s params.url=https://u:PW@h");
        assert_eq!(op, format!("timeout=20s params.url=https://u:{MASK}@h"));
        let xml = m.value("xml", r#"<nvpair id="n" name="endpoint" value="https://u:PW@h/"/>"#);
        assert!(!xml.contains("PW") && xml.contains("https://u:"), "{xml}");
        let recipient = "hook recipient https://hook:PW@h/x";
        assert!(!m.key_is_sensitive(recipient), "a recipient's address is not a name");
        assert_eq!(urls(recipient), format!("hook recipient https://hook:{MASK}@h/x"));
        assert_eq!(m.value(recipient, "params.token=T meta.a=b"), format!("params.token={MASK} meta.a=b"));
    }

    #[test]
    fn url_credentials_in_source_text_keep_every_offset() {
        let text = "a: https://u:pässword@h/x\n<x v=\"ftp://TOKEN@h\"/>\n";
        let shown = source_text(&Mask::default(), text);
        assert_eq!(shown, "a: https://u:*********@h/x\n<x v=\"ftp://*****@h\"/>\n");
        assert_eq!(urls(&shown), shown, "what is already hidden stays as it is");
    }

    #[test]
    fn url_masking_is_idempotent_and_never_splits_a_character() {
        let parts =
            ["https://", "u", ":", "p", "@", "h", "/", "?", "token=", "&", "é", "€", " ", "\"", "#", "=", "ssh://"];
        let mut seed = 7u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..12 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                text.push_str(parts[(seed >> 33) as usize % parts.len()]);
            }
            let once = urls(&text);
            assert_eq!(urls(&once), once, "{text:?}");
            assert_eq!(source_text(&Mask::default(), &text).len(), text.len(), "{text:?}");
        }
    }
}
