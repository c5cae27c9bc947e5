//! Stage 4b: old CIB → new CIB as a Pacemaker patch (`<diff format="2">`).
//!
//! The patch is bound to the old CIB's exact version (`<version><source .../>`), so Pacemaker
//! applies it only to the CIB it was computed from and refuses it (rc 103) if anything moved
//! since. Changes are as small as the trees allow: attribute `modify`, `create` at a position,
//! `delete`, `move`, descending through elements identified by id (or by a name unique among
//! their siblings); anything else is replaced whole (never `/cib` itself). Comments are left
//! alone. Pure: no I/O.

use std::collections::HashMap;

use crate::cib::xml::{Element, Node};
use crate::cib::{Cib, Version};

/// The version triple as `<source>`/`<target>` attributes.
fn version_el(name: &str, v: Version) -> Element {
    Element::new(name)
        .with_attr("admin_epoch", v.admin_epoch.to_string())
        .with_attr("epoch", v.epoch.to_string())
        .with_attr("num_updates", v.num_updates.to_string())
}

/// The patch that turns `old` into `new`.
pub fn patch(old: &Cib, new: &Cib) -> Element {
    let zero = Version { admin_epoch: 0, epoch: 0, num_updates: 0 };
    let mut diff = Element::new("diff").with_attr("format", "2").with_child(
        Element::new("version")
            .with_child(version_el("source", old.version().unwrap_or(zero)))
            .with_child(version_el("target", new.version().unwrap_or(zero))),
    );
    let mut changes = Vec::new();
    let old_cfg = without_status(&old.root);
    let new_cfg = without_status(&new.root);
    diff_element(&old_cfg, &new_cfg, "/cib", 0, &mut changes);
    diff.children.extend(changes.into_iter().map(Node::Element));
    diff
}

/// The CIB without `status` (a patch of the configuration never touches status).
fn without_status(root: &Element) -> Element {
    let mut r = root.clone();
    r.children.retain(|n| !matches!(n, Node::Element(e) if e.name == "status"));
    r
}

fn elements(el: &Element) -> Vec<&Element> {
    el.elements().collect()
}

/// How each child is addressed under its parent: `name[@id='x']`, or `name` when it is the only
/// child with that name; `None` when some child cannot be addressed uniquely. Linear in the
/// number of children (sections hold thousands).
fn steps(children: &[&Element]) -> Option<Vec<String>> {
    let mut by_id: HashMap<(&str, &str), usize> = HashMap::new();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for c in children {
        if let Some(id) = c.id() {
            *by_id.entry((c.name.as_str(), id)).or_default() += 1;
        }
        *by_name.entry(c.name.as_str()).or_default() += 1;
    }
    children
        .iter()
        .map(|c| match c.id() {
            Some(id) => (by_id[&(c.name.as_str(), id)] == 1).then(|| xpath_step(&c.name, id)).flatten(),
            None => (by_name[c.name.as_str()] == 1).then(|| c.name.to_string()),
        })
        .collect()
}

/// `name[@id='x']`: an XPath 1.0 literal has no escapes, so the id is quoted with the quote it
/// does not hold; `None` when it holds both (the parent is then replaced whole). The XML writer
/// escapes the step like any other attribute value.
fn xpath_step(name: &str, id: &str) -> Option<String> {
    let quote = ['\'', '"'].into_iter().find(|q| !id.contains(*q))?;
    Some(format!("{name}[@id={quote}{id}{quote}]"))
}

fn shallow(el: &Element) -> Element {
    Element { name: el.name.clone(), attrs: el.attrs.clone(), children: Vec::new() }
}

/// Elements equal ignoring whitespace-only text and comments.
fn same_tree(a: &Element, b: &Element) -> bool {
    let meaningful = |n: &&Node| !matches!(n, Node::Comment(_)) && !matches!(n, Node::Text(t) if t.trim().is_empty());
    a.name == b.name && a.attrs == b.attrs && {
        let ca: Vec<&Node> = a.children.iter().filter(meaningful).collect();
        let cb: Vec<&Node> = b.children.iter().filter(meaningful).collect();
        ca.len() == cb.len()
            && ca.iter().zip(&cb).all(|(x, y)| match (x, y) {
                (Node::Element(x), Node::Element(y)) => same_tree(x, y),
                (x, y) => x == y,
            })
    }
}

fn modify(old: &Element, new: &Element, path: &str) -> Option<Element> {
    let mut list = Element::new("change-list");
    for (k, v) in &new.attrs {
        if old.attr(k) != Some(v.as_str()) {
            list = list.with_child(
                Element::new("change-attr")
                    .with_attr("name", k.as_str())
                    .with_attr("operation", "set")
                    .with_attr("value", v.as_str()),
            );
        }
    }
    for (k, _) in &old.attrs {
        if new.attr(k).is_none() {
            list = list
                .with_child(Element::new("change-attr").with_attr("name", k.as_str()).with_attr("operation", "unset"));
        }
    }
    if list.children.is_empty() {
        return None;
    }
    Some(
        Element::new("change")
            .with_attr("operation", "modify")
            .with_attr("path", path)
            .with_child(list)
            .with_child(Element::new("change-result").with_child(shallow(new))),
    )
}

fn delete(path: &str) -> Element {
    Element::new("change").with_attr("operation", "delete").with_attr("path", path)
}

fn create(parent_path: &str, position: usize, el: &Element) -> Element {
    Element::new("change")
        .with_attr("operation", "create")
        .with_attr("path", parent_path)
        .with_attr("position", position.to_string())
        .with_child(el.clone())
}

/// Whether every element child of both sides can be addressed and matched.
/// Diff two elements with the same address (`position`: index among the new parent's element
/// children); emit changes that turn `old` into `new`.
fn diff_element(old: &Element, new: &Element, path: &str, position: usize, out: &mut Vec<Element>) {
    if same_tree(old, new) {
        return;
    }
    if let Some(m) = modify(old, new, path) {
        out.push(m);
    }
    let oc = elements(old);
    let nc = elements(new);
    // Comments are left where they are (they mean nothing to Pacemaker); text content does not
    // occur in a CIB configuration, but if it differs the element is replaced.
    let text = |e: &Element| e.text().trim().to_string();
    // `/cib` always has addressable children (configuration); below it, children that cannot be
    // matched one by one mean the element is replaced whole.
    let (Some(old_steps), Some(new_steps)) = (steps(&oc), steps(&nc)) else {
        replace(new, path, position, out);
        return;
    };
    if path != "/cib" && text(old) != text(new) {
        replace(new, path, position, out);
        return;
    }
    let new_keys: HashMap<&str, usize> = new_steps.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    let old_keys: HashMap<&str, usize> = old_steps.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    // Fast path: the same children in the same order (the common case in big sections): no
    // creates, deletes or moves, only changes inside children.
    if old_steps == new_steps {
        let mut pos = 0;
        let mut i = 0;
        for n in &old.children {
            match n {
                Node::Element(_) => {
                    diff_element(oc[i], nc[i], &format!("{path}/{}", old_steps[i]), pos, out);
                    i += 1;
                    pos += 1;
                }
                Node::Comment(_) => pos += 1,
                Node::Text(_) => {}
            }
        }
        return;
    }
    // Pacemaker counts positions among all children, comments included: simulate the child list
    // as the changes are applied (comments stay where they were).
    let mut sim: Vec<Option<String>> = Vec::new();
    let mut i = 0;
    for n in &old.children {
        match n {
            Node::Element(_) => {
                let k = &old_steps[i];
                i += 1;
                if new_keys.contains_key(k.as_str()) {
                    sim.push(Some(k.clone()));
                } else {
                    out.push(delete(&format!("{path}/{k}")));
                }
            }
            Node::Comment(_) => sim.push(None),
            Node::Text(_) => {}
        }
    }
    let mut prev: Option<String> = None;
    for (c, k) in nc.iter().zip(new_steps.iter().cloned()) {
        let want = |sim: &Vec<Option<String>>| match &prev {
            Some(p) => sim.iter().position(|s| s.as_ref() == Some(p)).map_or(sim.len(), |i| i + 1),
            None => sim.iter().position(Option::is_some).unwrap_or(sim.len()),
        };
        let child_path = format!("{path}/{k}");
        match old_keys.get(k.as_str()) {
            None => {
                let at = want(&sim);
                sim.insert(at, Some(k.clone()));
                out.push(create(path, at, c));
            }
            Some(&oi) => {
                let cur = sim.iter().position(|s| s.as_ref() == Some(&k)).unwrap_or(0);
                if cur != want(&sim) {
                    let item = sim.remove(cur);
                    let at = want(&sim);
                    sim.insert(at, item);
                    out.push(
                        Element::new("change")
                            .with_attr("operation", "move")
                            .with_attr("path", &child_path)
                            .with_attr("position", at.to_string()),
                    );
                }
                let pos = sim.iter().position(|s| s.as_ref() == Some(&k)).unwrap_or(0);
                diff_element(oc[oi], c, &child_path, pos, out);
            }
        }
        prev = Some(k);
    }
}

/// Replace `old` with `new` whole, at its position (children that cannot be matched one by one).
fn replace(new: &Element, path: &str, position: usize, out: &mut Vec<Element>) {
    debug_assert_ne!(path, "/cib", "a patch must never replace the whole CIB");
    out.retain(|c| c.attr("path") != Some(path));
    let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
    out.push(delete(path));
    out.push(create(parent, position, new));
}
