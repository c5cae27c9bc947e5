//! One change at a time against the pcs-built seed CIB, each plan snapshotted in every format.
//! Review these snapshots like code: they are what admins and reviewers read.

mod common;

use common::*;

fn plans(name: &str, edit: impl Fn(String) -> String) {
    let (dir, _cib) = scratch_with_cib(Some("seed-pcs.xml"));
    // What these plans show is the change; the file's failover tests are `tests/failover.rs`'s.
    let yaml = variant(dir.path(), |t| edit(without_scenarios(t)));
    for format in ["text", "json", "markdown"] {
        let out = cibform_in(
            dir.path(),
            &[
                "plan",
                yaml.file_name().unwrap().to_str().unwrap(),
                "--target",
                "file:cib.xml",
                "--format",
                format,
                "--detailed-exitcode",
            ],
        );
        assert_eq!(out.code, 2, "{}", out.snapshot());
        let stdout = out.stdout.replace(env!("CARGO_PKG_VERSION"), "[version]");
        insta::assert_snapshot!(format!("{name}.{format}"), stdout);
    }
}

#[test]
fn vip_address_changes_in_place() {
    plans("vip_address", |t| t.replace("ip: 192.168.33.23", "ip: 192.168.33.24"));
}

#[test]
fn added_resource_is_created_with_default_ops() {
    plans("add_resource", |t| {
        t.replace("  rs-systemd-squid:   { agent: systemd:squid }\n", "  rs-systemd-squid:   { agent: systemd:squid }\n  rs-web: { agent: ocf:heartbeat:apache, params: { configfile: /etc/httpd/conf/httpd.conf } }\n")
    });
}

#[test]
fn dropped_property_is_removed() {
    plans("drop_property", |t| t.replace("  no-quorum-policy: ignore\n", ""));
}

#[test]
fn reordered_group_changes_member_order() {
    plans("reorder_group", |t| t.replace("[rs-vip-33, rs-systemd-squid]", "[rs-systemd-squid, rs-vip-33]"));
}

#[test]
fn edited_rule_updates_the_constraint_in_place() {
    plans("edit_rule", |t| {
        t.replace("rule: pingd lt 1 or not_defined pingd", "rule: pingd lte 500 or not_defined pingd")
    });
}

#[test]
fn undeclared_resources_are_destroyed_loudly() {
    plans("destroy_clone", |t| {
        t.replace("  rs-systemd-unbound-clone: rs-systemd-unbound\n", "")
            .replace("  rs-systemd-unbound: { agent: systemd:unbound }\n", "")
    });
}

#[test]
fn standby_is_a_node_attribute() {
    plans("standby", |t| t.replace("t3021cent: { id: 1,", "t3021cent: { id: 1, standby: true,"));
}

#[test]
fn disabled_resource_gets_target_role_stopped() {
    plans("disable", |t| {
        t.replace(
            "rs-systemd-squid:   { agent: systemd:squid }",
            "rs-systemd-squid:   { agent: systemd:squid, enabled: false }",
        )
    });
}
