'use strict';
(function () {
  const params = new URLSearchParams(location.search);
  const API_URL = params.get('api');
  const WS_URL = params.get('ws');
  const EVENT_ID = params.get('event') || 'DEFAULT';
  const SNAPSHOT_WINDOW_SEC = 860400;
  const DEDUPE_GRACE_MS = 4000;
  const RETRY_MS = 1500;

  const nodes = new Map();
  const pairs = new Map();
  const recentPair = new Map();
  const state = { status: 'connecting', opens: 0, frames: 0, snapshotFrames: 0, errors: [], events: null };

  const pairKey = (a, b) => [a, b].sort().join('|');
  const show = () => {
    document.getElementById('status').textContent = `${state.status}: ${nodes.size} people, ${pairs.size} links`;
  };
  const merge = (snap) => {
    for (const n of snap.nodes || []) if (n && n.id && !nodes.has(n.id)) nodes.set(n.id, n);
    for (const l of snap.links || []) {
      const k = pairKey(l.source, l.target);
      if (!pairs.has(k)) pairs.set(k, l);
    }
    show();
  };

  async function fetchSnapshot() {
    try {
      const qs = new URLSearchParams({ eventId: EVENT_ID, sinceSec: String(SNAPSHOT_WINDOW_SEC) });
      const res = await fetch(`${API_URL}/interactions/wall?${qs}`, { method: 'GET' });
      merge(await res.json());
    } catch (e) {
      state.errors.push(`snapshot: ${e}`);
    }
  }

  async function fetchEvents() {
    try {
      const res = await fetch(`${API_URL}/events`, { method: 'GET' });
      const list = await res.json();
      state.events = Array.isArray(list) ? list : [];
    } catch (e) {
      state.errors.push(`events: ${e}`);
    }
  }

  function connect() {
    state.status = 'connecting';
    const ws = new WebSocket(`${WS_URL}?v=1`);
    ws.onopen = () => {
      state.status = 'connected';
      state.opens += 1;
      ws.send(JSON.stringify({ action: 'subscribe', eventId: EVENT_ID }));
      show();
    };
    ws.onmessage = (ev) => {
      state.frames += 1;
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg.type === 'snapshot') {
        state.snapshotFrames += 1;
        merge(msg);
        return;
      }
      if (msg.type === 'connection' || msg.type === 'edge') {
        const { from, to, createdAt } = msg;
        if (!from || !from.id || !to || !to.id) return;
        if (!nodes.has(from.id)) nodes.set(from.id, from);
        if (!nodes.has(to.id)) nodes.set(to.id, to);
        const ts = createdAt || Date.now();
        const k = pairKey(from.id, to.id);
        if (ts - (recentPair.get(k) || 0) >= DEDUPE_GRACE_MS) {
          recentPair.set(k, ts);
          if (!pairs.has(k)) pairs.set(k, { source: from.id, target: to.id, createdAt: ts });
        }
        show();
      }
    };
    ws.onerror = () => state.errors.push('websocket error');
    ws.onclose = () => {
      state.status = 'disconnected';
      show();
      setTimeout(connect, RETRY_MS);
    };
  }

  window.__original = {
    state: () => ({ ...state, errors: [...state.errors] }),
    nodeIds: () => [...nodes.keys()].sort(),
    linkKeys: () => [...pairs.keys()].sort(),
  };
  connect();
  fetchSnapshot();
  fetchEvents();
})();
