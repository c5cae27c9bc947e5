//! A scripted stand-in for a cluster node, for unit tests of everything above the runner
//! (`node`, `ops`): it answers each command with the next scripted output and records what was
//! asked. Test-only; it runs nothing.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use super::runner::{Cmd, Output, Run, RunError};

/// A scripted runner: answers each command with the next output for its program.
#[derive(Default)]
pub struct Script {
    answers: RefCell<VecDeque<(&'static str, Output)>>,
    pub seen: RefCell<Vec<Cmd>>,
}

impl Script {
    pub fn new(answers: Vec<(&'static str, Output)>) -> Self {
        Script { answers: RefCell::new(answers.into()), seen: RefCell::new(Vec::new()) }
    }

    /// Whether every scripted answer was asked for.
    pub fn is_done(&self) -> bool {
        self.answers.borrow().is_empty()
    }
}

impl Run for Script {
    fn place(&self) -> String {
        "fake".into()
    }
    async fn run(&self, cmd: &Cmd) -> Result<Output, RunError> {
        self.seen.borrow_mut().push(cmd.clone());
        let (program, out) = self.answers.borrow_mut().pop_front().expect("unexpected command");
        assert_eq!(cmd.argv[0], program, "{:?}", cmd.argv);
        Ok(out)
    }
}

/// A cluster node played by a `Script`, as a `Target` (`Target::Fake`).
#[derive(Clone)]
pub struct FakeNode(pub Rc<Script>);

impl std::fmt::Debug for FakeNode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FakeNode")
    }
}

impl PartialEq for FakeNode {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for FakeNode {}

/// A scripted answer: exit 0 with `stdout`.
pub fn answer(stdout: &str) -> Output {
    Output { code: 0, stdout: stdout.as_bytes().to_vec(), stderr: String::new() }
}

/// Run a future to its end on a fresh single-threaded runtime (the scripted node is not `Send`).
pub fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}
