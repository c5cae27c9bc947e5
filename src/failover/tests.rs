use super::*;
use crate::preview::parse_outcome;

/// crm_simulate's answer, cut down to what is judged: rg-01 (vip, squid) moved to n2, the
/// unbound clone on n2 only, and a disabled primitive.
const ANSWER: &str = r#"<pacemaker-result api-version="2.25" request="crm_simulate">
  <actions>
    <rsc_action action="move" resource="vip" source="n1" dest="n2"/>
    <rsc_action action="move" resource="squid" source="n1" dest="n2"/>
    <rsc_action action="stop" resource="unbound:0" node="n1" reason="node availability"/>
  </actions>
  <revised_cluster_status><nodes/><resources>
    <group id="rg" number_resources="2">
      <resource id="vip" role="Started" active="true"><node name="n2" id="2"/></resource>
      <resource id="squid" role="Started" active="true"><node name="n2" id="2"/></resource>
    </group>
    <clone id="unbound-clone" multi_state="false">
      <resource id="unbound" role="Started" active="true"><node name="n2" id="2"/></resource>
      <resource id="unbound" role="Stopped" active="false"/>
    </clone>
    <resource id="off" role="Stopped" active="false" target_role="Stopped"/>
  </resources></revised_cluster_status>
  <status code="0" message="OK"/>
</pacemaker-result>"#;

/// The graph on standard error, after a log line: squid's start waits for vip's through the
/// group's pseudo action; unbound's start waits for nothing.
const GRAPH: &str = r#"notice: something crm_simulate logged
<transition_graph transition_id="0">
  <synapse id="0"><action_set><rsc_op id="4" operation="start" operation_key="vip_start_0" on_node="n2"><primitive id="vip"/></rsc_op></action_set>
    <inputs><trigger><pseudo_event id="8" operation="start" operation_key="rg_start_0"/></trigger></inputs></synapse>
  <synapse id="1"><action_set><pseudo_event id="8" operation="start" operation_key="rg_start_0"/></action_set><inputs/></synapse>
  <synapse id="2"><action_set><rsc_op id="6" operation="start" operation_key="squid_start_0" on_node="n2"><primitive id="squid"/></rsc_op></action_set>
    <inputs><trigger><rsc_op id="4" operation="start" operation_key="vip_start_0" on_node="n2"/></trigger></inputs></synapse>
  <synapse id="3"><action_set><rsc_op id="9" operation="start" operation_key="unbound_start_0" on_node="n2"><primitive id="unbound:1"/></rsc_op></action_set><inputs/></synapse>
</transition_graph>
"#;

fn outcome() -> Outcome {
    parse_outcome(ANSWER, GRAPH).unwrap()
}

fn test(expect: Vec<Expect>) -> FailoverTest {
    FailoverTest { name: "t".into(), cases: vec![Vec::new()], expect }
}

fn failures(expect: Expect, events: &[Event]) -> Vec<String> {
    judge(&test(vec![expect]), events, &outcome()).failures
}

fn nodes(n: &[&str]) -> Vec<String> {
    n.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_answer_is_read_with_instances_and_graph() {
    let o = outcome();
    assert_eq!(o.actions.len(), 3);
    let unbound: Vec<&Instance> = o.after.iter().filter(|i| i.primitive == "unbound").collect();
    assert_eq!(unbound.len(), 2);
    assert_eq!(unbound[0].parents, ["unbound-clone"]);
    assert!(o.after.iter().any(|i| i.primitive == "off" && i.disabled));
    let g = o.graph.unwrap();
    assert_eq!(g.len(), 4);
    assert_eq!(g[3].resource.as_deref(), Some("unbound"), "the instance number is dropped");
    assert!(parse_outcome(ANSWER, "no graph here").unwrap().graph.is_none());
}

#[test]
fn placement_of_groups_and_clones() {
    assert!(failures(Expect::RunsOn { resource: "rg".into(), nodes: nodes(&["n2"]) }, &[]).is_empty());
    assert_eq!(
        failures(Expect::RunsOn { resource: "rg".into(), nodes: nodes(&["n1"]) }, &[]),
        ["`rg` does not run on n1: `vip` runs on n2, `squid` runs on n2"]
    );
    assert_eq!(
        failures(Expect::RunsOn { resource: "unbound-clone".into(), nodes: nodes(&["n1", "n2"]) }, &[]),
        ["`unbound-clone` does not run on n1: `unbound` runs on n2"]
    );
    assert_eq!(failures(Expect::Stopped { resource: "vip".into() }, &[]), ["`vip` is not stopped: it runs on n2"]);
    assert!(failures(Expect::Stopped { resource: "off".into() }, &[]).is_empty());
    assert_eq!(
        failures(Expect::Stopped { resource: "nosuch".into() }, &[]),
        ["`nosuch` is not in the cluster the scheduler sees"],
        "a resource the scheduler does not know is not taken for stopped"
    );
}

#[test]
fn instances_count_where_the_clone_runs() {
    assert!(failures(Expect::Instances { resource: "unbound-clone".into(), count: 1 }, &[]).is_empty());
    assert_eq!(
        failures(Expect::Instances { resource: "unbound-clone".into(), count: 2 }, &[]),
        ["`unbound-clone` runs 1 instance instead of 2: `unbound` runs on n2"]
    );
}

#[test]
fn roles_of_a_promotable_clone() {
    let mut o = outcome();
    o.after[2].role = "Promoted".into();
    o.after[3] = Instance { role: "Unpromoted".into(), nodes: nodes(&["n1"]), ..o.after[2].clone() };
    let t = test(vec![
        Expect::Promoted { resource: "unbound-clone".into(), nodes: nodes(&["n2"]) },
        Expect::Unpromoted { resource: "unbound-clone".into(), nodes: nodes(&["n1"]) },
        Expect::Promoted { resource: "unbound-clone".into(), nodes: nodes(&["n1"]) },
    ]);
    assert_eq!(judge(&t, &[], &o).failures, ["`unbound-clone` is not promoted on n1: promoted on n2"]);
}

#[test]
fn a_restart_is_a_stop_of_a_running_instance_but_not_on_a_node_taken_away() {
    assert_eq!(
        failures(Expect::NoRestart { resource: "rg".into() }, &[]),
        ["`rg` is disturbed: move vip from n1 to n2; move squid from n1 to n2"]
    );
    assert_eq!(
        failures(Expect::NoRestart { resource: "unbound-clone".into() }, &[]),
        ["`unbound-clone` is disturbed: stop unbound:0 on n1 (node availability)"]
    );
    let down = [Event::NodeFail { node: "n1".into() }];
    assert!(failures(Expect::NoRestart { resource: "unbound-clone".into() }, &down).is_empty());
}

#[test]
fn start_order_is_read_from_the_graph() {
    assert!(failures(Expect::StartsBefore { first: "vip".into(), then: "squid".into() }, &[]).is_empty());
    assert_eq!(
        failures(Expect::StartsBefore { first: "squid".into(), then: "vip".into() }, &[]),
        ["`vip` may start before `squid`: the start of `vip` on n2 does not wait for the start of `squid`"]
    );
    assert_eq!(
        failures(Expect::StartsBefore { first: "unbound-clone".into(), then: "squid".into() }, &[]),
        ["`squid` may start before `unbound-clone`: the start of `squid` on n2 does not wait for the start of `unbound`"],
        "listed first in the graph is not ordered first"
    );
    let mut o = outcome();
    o.graph = None;
    let t = test(vec![Expect::StartsBefore { first: "vip".into(), then: "squid".into() }]);
    assert_eq!(judge(&t, &[], &o).failures, ["the transition graph was not available to check the order"]);
}

#[test]
fn everything_on_a_node_leaves_out_disabled_resources() {
    assert!(failures(Expect::EverythingOn { node: "n2".into() }, &[]).is_empty());
    assert_eq!(
        failures(Expect::EverythingOn { node: "n1".into() }, &[]),
        ["not everything runs on n1 alone: `vip` runs on n2, `squid` runs on n2, `unbound` runs on n2"]
    );
}

#[test]
fn a_test_fails_on_any_case_and_errs_only_without_failures() {
    let t = test(vec![Expect::Stopped { resource: "vip".into() }]);
    let ok = CaseVerdict { status: Status::Pass, failures: Vec::new(), ..judge(&t, &[], &outcome()) };
    let bad = judge(&t, &[Event::Standby { node: "n1".into() }], &outcome());
    let err = CaseVerdict::error(vec![Event::NodeDown { node: "n2".into() }], "cut short".into());
    assert_eq!(Verdict::new(&t, vec![ok.clone(), err.clone()]).status, Status::Error);
    let v = Verdict::new(&t, vec![ok, bad, err]);
    assert_eq!(v.status, Status::Fail);
    assert_eq!(
        v.reasons(),
        ["when n1 is in standby: `vip` is not stopped: it runs on n2", "when n2 goes down: not evaluated: cut short"]
    );
    assert_eq!(tally(&[v]), (0, 1));
}
