//! The private PC/SC stack end to end: pcscd starts on its own socket, both virtual readers appear, a virtual
//! badge answers through the real pcscd, and pcscd can be stopped and started again.

use std::ffi::CString;
use std::process::ExitCode;
use std::time::Duration;

use libtest_mimic::{Arguments, Trial};
use livewall_virtual_badge::{BadgeKind, PcscStack, VirtualBadge, run_isolated};
use pcsc::{Context, Protocols, ReaderState, Scope, ShareMode, State};

fn main() -> ExitCode {
    run_isolated(|| {
        let mut args = Arguments::from_args();
        args.test_threads = Some(1);
        let trials = vec![Trial::test("stack_serves_badges_and_restarts", || {
            stack_serves_badges_and_restarts().map_err(Into::into)
        })];
        libtest_mimic::run(&args, trials).exit_code()
    })
}

fn wait_for(ctx: &Context, reader: &str, wanted: State) -> Result<(), String> {
    let name = CString::new(reader).map_err(|e| e.to_string())?;
    let mut states = [ReaderState::new(name, State::UNAWARE)];
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        if states[0].event_state().contains(wanted) {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!(
                "{reader} never reached {wanted:?}: {:?}",
                states[0].event_state()
            ));
        }
        states[0].sync_current_state();
        match ctx.get_status_change(Duration::from_secs(1), &mut states) {
            Ok(()) | Err(pcsc::Error::Timeout) => {}
            Err(e) => return Err(format!("status change: {e}")),
        }
    }
}

fn stack_serves_badges_and_restarts() -> Result<(), String> {
    let mut stack = PcscStack::start().map_err(|e| e.to_string())?;
    assert!(stack.socket_path().exists());
    assert_ne!(stack.socket_path().to_str(), Some("/run/pcscd/pcscd.comm"));
    let ctx = Context::establish(Scope::User)
        .map_err(|e| format!("establish on the private socket: {e}"))?;
    let readers: Vec<String> = ctx
        .list_readers_owned()
        .map_err(|e| e.to_string())?
        .iter()
        .map(|r| r.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        readers,
        vec![
            stack.reader(0).name().to_owned(),
            stack.reader(1).name().to_owned()
        ]
    );

    let badge = VirtualBadge::new(
        BadgeKind::Ntag215,
        &[0x04, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60],
    );
    let placed = stack.reader(1).place(&badge).map_err(|e| e.to_string())?;
    wait_for(&ctx, stack.reader(1).name(), State::PRESENT)?;
    let name = CString::new(stack.reader(1).name()).map_err(|e| e.to_string())?;
    let card = ctx
        .connect(&name, ShareMode::Shared, Protocols::ANY)
        .map_err(|e| e.to_string())?;
    let mut buf = [0u8; 64];
    let uid = card
        .transmit(&[0xFF, 0xCA, 0x00, 0x00, 0x00], &mut buf)
        .map_err(|e| e.to_string())?;
    assert_eq!(uid, &[0x04, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x90, 0x00]);
    let atr = card
        .status2_owned()
        .map_err(|e| e.to_string())?
        .atr()
        .to_vec();
    assert_eq!(atr, livewall_virtual_badge::ATR.to_vec());
    drop(card);
    placed.remove().map_err(|e| e.to_string())?;
    wait_for(&ctx, stack.reader(1).name(), State::EMPTY)?;

    stack.stop_pcscd().map_err(|e| e.to_string())?;
    assert!(!stack.is_running());
    assert!(Context::establish(Scope::User).is_err(), "pcscd is stopped");
    stack.start_pcscd().map_err(|e| e.to_string())?;
    let ctx =
        Context::establish(Scope::User).map_err(|e| format!("establish after restart: {e}"))?;
    assert_eq!(
        ctx.list_readers_owned().map_err(|e| e.to_string())?.len(),
        2
    );
    Ok(())
}
