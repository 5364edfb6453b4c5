// gex dashboard: reads the JSON endpoints gex serve answers (the same any client reads, so the
// page and the API never disagree) and draws them as plain SVG. No library, no network beyond
// this origin. SPEC 5.6, doc/dashboard.md.
'use strict';

const SVGNS = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);

const state = {
  symbol: '',
  key: sessionStorage.getItem('gex-api-key') || '',
  data: {},        // the documents of the symbol shown: gex, levels, summary, profile, heatmap, history
  sel: {},         // the selected index of each chart (keyboard and hover)
  generation: 0,   // bumps on every load: answers of an older load are dropped
  folderNote: '',  // the files of the folder /v1/symbols left out, kept at the end of the status
};

// --- numbers: plain and exact enough to compare with the command line ---

function isNum(v) { return typeof v === 'number' && Number.isFinite(v); }

// Whole dollars with thousands separators, rounded half away from zero (SPEC 5.6: Math.round
// alone takes -2.5 to -2): "-1,234,567".
function fmtInt(v) {
  if (!isNum(v)) return 'n/a';
  const r = Math.sign(v) * Math.round(Math.abs(v));
  return (r < 0 ? '-' : '') + Math.abs(r).toLocaleString('en-US');
}

// A rounded number's text without the sign of a value that rounds to zero: toFixed and
// toLocaleString keep it (-0.001 reads "-0.00"), the page never shows it.
function unsignedZero(t) { return /^-[0.,]*$/.test(t) ? t.slice(1) : t; }

// A price with two decimals: "4,489.50".
function fmtPrice(v) {
  if (!isNum(v)) return 'n/a';
  return unsignedZero(v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));
}

const SHORT_UNITS = [[1, ''], [1e3, ' K'], [1e6, ' M'], [1e9, ' B'], [1e12, ' T']];

// v / scale with digits decimals and the index of its unit in SHORT_UNITS. The unit is chosen
// after rounding: 999,999.9 is "1.000 M", not "1000.000 K". A value that rounds to zero has no
// sign ("0.000", never "-0.000").
function shortParts(v, digits) {
  let i = 0;
  while (i + 1 < SHORT_UNITS.length && Math.abs(v) >= SHORT_UNITS[i + 1][0]) i++;
  let t = (v / SHORT_UNITS[i][0]).toFixed(digits);
  while (i + 1 < SHORT_UNITS.length && Math.abs(+t) >= 1000) {
    i++;
    t = (v / SHORT_UNITS[i][0]).toFixed(digits);
  }
  if (+t === 0) t = (0).toFixed(digits);
  return [t, i];
}

// An amount in short form with three decimals (SPEC 5.6), below 1,000 too: "23.042 B",
// "-0.621".
function fmtShort(v) {
  if (!isNum(v)) return 'n/a';
  const [t, i] = shortParts(v, 3);
  return t + SHORT_UNITS[i][1];
}

// An axis's tick labels in short form, with the fewest decimals that still give each tick its
// exact value (ticks 0, 0.5, 1, 1.5, 2 read so, not "0, 1, 1, 2, 2"), trailing zeros dropped.
function tickLabels(values) {
  let gap = Infinity;
  for (let i = 1; i < values.length; i++) gap = Math.min(gap, Math.abs(values[i] - values[i - 1]));
  const tol = 1e-6 * (Number.isFinite(gap) && gap > 0 ? gap : Math.abs(values[0]) || 1);
  let parts = [];
  for (let d = 0; d <= 12; d++) {
    parts = values.map((v) => shortParts(v, d));
    if (parts.every(([t, i], k) => Math.abs(+t * SHORT_UNITS[i][0] - values[k]) <= tol)) break;
  }
  return parts.map(([t, i]) => String(+t) + SHORT_UNITS[i][1]);
}

// A percentage with two decimals: "-0.37%", "0.00%" for -0.001.
function fmtPct(v) { return isNum(v) ? unsignedZero(v.toFixed(2)) + '%' : 'n/a'; }

function fmtTime(iso) {
  if (!iso) return 'n/a';
  return iso.replace('T', ' ').replace('Z', ' UTC');
}

// --- talking to gex serve ---

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path) {
  const headers = state.key ? { 'X-Api-Key': state.key } : {};
  let resp;
  try {
    resp = await fetch(path, { headers, cache: 'no-cache' });
  } catch (e) {
    throw new ApiError(0, 'unreachable', 'gex serve cannot be reached: is it still running?');
  }
  let body = null;
  try {
    body = await resp.json();
  } catch (e) {
    throw new ApiError(resp.status, 'bad_answer', `${path}: the answer is not JSON (HTTP ${resp.status})`);
  }
  if (!resp.ok) {
    const code = body && body.error ? body.error : 'error';
    const message = body && body.message ? body.message : `HTTP ${resp.status}`;
    if (resp.status === 401) $('key-form').hidden = false;
    throw new ApiError(resp.status, code, message);
  }
  return body;
}

// A panel's endpoint that this gex does not have (404 not_found, not symbol_not_found): null.
async function optional(path) {
  try {
    return await api(path);
  } catch (e) {
    if (e.status === 404 && e.code === 'not_found') return null;
    throw e;
  }
}

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

// --- messages ---

function say(text) {
  const m = $('message');
  m.textContent = text;
  m.hidden = !text;
}

// The status line: text, then the folder's note, so that a load does not wipe the note.
function status(text) { $('status').textContent = [text, state.folderNote].filter(Boolean).join(' '); }

// --- the symbol picker ---

// The picker: the list /v1/symbols answers, or a text field where this gex has no /v1/symbols
// (404, SPEC 5.6). Any other failure is said in words, over an empty list: a text field would
// hide that the folder cannot be read behind "Type a symbol".
async function loadSymbols() {
  const select = $('symbol');
  const text = $('symbol-text');
  let doc = null;
  try {
    doc = await optional('/v1/symbols');
  } catch (e) {
    if (e.status === 401) say(`gex serve asks for an API key: ${e.message}.`);
    else if (e.status === 0) say(e.message);
    else say(`The folder's symbols could not be listed: ${e.message} (HTTP ${e.status}${e.code ? ', ' + e.code : ''}).`);
    select.replaceChildren();
    select.hidden = false;
    text.hidden = true;
    return [];
  }
  if (doc === null) {
    select.hidden = true;
    text.hidden = false;
    return [];
  }
  const list = Array.isArray(doc.symbols) ? doc.symbols : [];
  select.replaceChildren();
  for (const s of list) {
    const name = typeof s === 'string' ? s : s.symbol;
    const o = document.createElement('option');
    o.value = name;
    o.textContent = name;
    select.append(o);
  }
  select.hidden = false;
  text.hidden = true;
  // The counts are in meta (src/render/api-reference.c), as the API's other extras: files
  // that are no chain gex reads, and chain files gex serve cannot open.
  const meta = doc.meta || {};
  const plural = (n, one, many) => `${n} file${n === 1 ? '' : 's'} ${n === 1 ? one : many}`;
  const notes = [];
  if (isNum(meta.files_unreadable) && meta.files_unreadable > 0)
    notes.push(plural(meta.files_unreadable, 'in the folder cannot be opened',
                      'in the folder cannot be opened'));
  if (isNum(meta.files_left_out) && meta.files_left_out > 0)
    notes.push(plural(meta.files_left_out, 'in the folder is no chain gex reads',
                      'in the folder are no chain gex reads'));
  state.folderNote = notes.length > 0 ? `${notes.join('; ')} (gex serve's log says why).` : '';
  status('');
  if (list.length === 0) say('The served folder holds no option chain gex can read.');
  return list.map((s) => (typeof s === 'string' ? s : s.symbol));
}

// Stops showing a symbol and says why: answers of a load still under way are dropped, and the
// next address or pick loads again, even the symbol shown before.
function refuse(text) {
  ++state.generation;
  state.symbol = '';
  state.data = {};
  $('views').hidden = true;
  document.body.removeAttribute('aria-busy');
  status('');
  say(text);
}

// The symbol the address names after '#', upper case: '' when none, null when the '#' part is
// not valid percent-encoding (decodeURIComponent throws URIError on "#%"), said in words.
function hashSymbol() {
  const raw = location.hash.slice(1);
  try {
    return decodeURIComponent(raw).toUpperCase();
  } catch (e) {
    refuse(`The address's symbol cannot be read: "#${raw}" is not valid percent-encoding. ` +
      'Put the symbol after # (for example #SPX), or pick one.');
    return null;
  }
}

function chosenSymbol() {
  const text = $('symbol-text');
  const v = text.hidden ? $('symbol').value : text.value.trim().toUpperCase();
  return v;
}

// --- loading a symbol ---

// The symbols gex serve answers for: 1 to 15 letters, digits, '.', '-', '_' or '^' (the
// server's rule: gex__api_symbol_char in src/render/api-answer.c, CLI_SERVE_SYMBOL_MAX in
// src/cli/serve-internal.h). Another, "BRK/B" say, would reach the server as a path of another
// shape (it decodes %2F) and read "no such endpoint": it is refused here, in words.
const SYMBOL_RULE = /^[A-Za-z0-9._^-]{1,15}$/;

async function load() {
  const symbol = chosenSymbol();
  if (!symbol) {
    $('views').hidden = true;
    say('Choose a symbol.');
    return;
  }
  if (!SYMBOL_RULE.test(symbol)) {
    refuse(`"${symbol}" is not a symbol gex serves: a symbol is 1 to 15 letters, digits, ` +
      '".", "-", "_" or "^" (for example BRK.B).');
    return;
  }
  const gen = ++state.generation;
  state.symbol = symbol;
  if (location.hash.slice(1) !== encodeURIComponent(symbol)) history.replaceState(null, '', '#' + encodeURIComponent(symbol));
  const minOi = $('min-oi').value.trim();
  if (minOi !== '' && !(Number(minOi) >= 0)) {
    say(`Min OI must be a number of contracts, 0 or more; "${minOi}" is not.`);
    return;
  }
  const filters = { expiration: $('expiration').value, min_oi: minOi };
  const s = encodeURIComponent(symbol);
  status(`Loading ${symbol}…`);
  document.body.setAttribute('aria-busy', 'true');
  try {
    const [gex, levels, summary, profile, heatmap, hist] = await Promise.all([
      api(`/v1/exposure/gex/${s}${query(filters)}`),
      api(`/v1/exposure/levels/${s}${query(filters)}`),
      api(`/v1/exposure/summary/${s}${query(filters)}`),
      optional(`/v1/exposure/profile/${s}${query(filters)}`),
      optional(`/v1/exposure/heatmap/${s}${query({ min_oi: minOi })}`),
      optional(`/v1/history/${s}`).catch(() => null),
    ]);
    if (gen !== state.generation) return;
    state.data = { gex, levels, summary, profile, heatmap, history: hist };
    state.sel = {};
    say('');
    fillExpirations(heatmap);
    $('views').hidden = false; // first: the charts take the width the panels have
    draw();
    const file = gex.meta && gex.meta.file ? gex.meta.file.split('/').pop() : '';
    status(`${symbol} at ${fmtTime(gex.as_of)}${file ? ' from ' + file : ''}` +
      (filters.expiration ? `, expiration ${filters.expiration}` : '') +
      (minOi ? `, open interest ≥ ${minOi}` : '') + '.');
  } catch (e) {
    if (gen !== state.generation) return;
    $('views').hidden = true;
    state.data = {};
    status('');
    if (e.code === 'symbol_not_found') say(`No data for ${symbol}: ${e.message}.`);
    else if (e.code === 'no_data' || e.code === 'invalid_expiry') say(`No data for ${symbol} with these filters: ${e.message}.`);
    else if (e.status === 401) say(`gex serve asks for an API key: ${e.message}.`);
    else if (e.status === 0) say(e.message);
    else say(`${symbol}: ${e.message} (HTTP ${e.status}${e.code ? ', ' + e.code : ''}).`);
  } finally {
    if (gen === state.generation) document.body.removeAttribute('aria-busy');
  }
}

// The expiration filter lists the expirations the heatmap has (kept when already listed).
function fillExpirations(heatmap) {
  const select = $('expiration');
  const current = select.value;
  if (!heatmap || !Array.isArray(heatmap.expirations)) return;
  const dates = heatmap.expirations.map((e) => e.expiration);
  const have = [...select.options].slice(2).map((o) => o.value);
  if (have.length && dates.every((d) => have.includes(d)) && state.lastSymbol === state.symbol) return;
  state.lastSymbol = state.symbol;
  while (select.options.length > 2) select.remove(2);
  for (const e of heatmap.expirations) {
    const o = document.createElement('option');
    o.value = e.expiration;
    o.textContent = `${e.expiration} (${e.dte} d)`;
    select.append(o);
  }
  select.value = [...select.options].some((o) => o.value === current) ? current : '';
}

// --- drawing ---

function el(name, attrs, parent) {
  const e = document.createElementNS(SVGNS, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.append(e);
  return e;
}

function text(parent, x, y, s, attrs) {
  const t = el('text', Object.assign({ x, y }, attrs || {}), parent);
  t.textContent = s;
  return t;
}

function svgFor(id, height) {
  const box = $(id);
  const width = Math.max(300, Math.floor(box.clientWidth || 600));
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}` });
  box.replaceChildren(svg);
  return { svg, width, height };
}

function linear(d0, d1, r0, r1) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

// Round tick values over [lo, hi], about n of them.
function ticks(lo, hi, n) {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

function windowed(strikes, spot) {
  const pct = Number($('range').value);
  if (!pct || !isNum(spot)) return strikes.map((s, i) => i);
  const lo = spot * (1 - pct / 100), hi = spot * (1 + pct / 100);
  const idx = [];
  strikes.forEach((s, i) => { if (s >= lo && s <= hi) idx.push(i); });
  return idx.length ? idx : strikes.map((s, i) => i);
}

const tooltip = {
  show(evt, s) {
    const t = $('tooltip');
    t.textContent = s;
    t.hidden = false;
    const x = Math.min(evt.clientX + 14, window.innerWidth - t.offsetWidth - 4);
    const y = Math.min(evt.clientY + 14, window.innerHeight - t.offsetHeight - 4);
    t.style.left = Math.max(0, x) + 'px';
    t.style.top = Math.max(0, y) + 'px';
  },
  hide() { $('tooltip').hidden = true; },
};

// Hover, focus and the arrow keys select one of n items of a chart; show(i) draws the selection
// and returns its text for the readout (and the tooltip on hover).
function interactive(id, n, indexAt, show, columns) {
  const box = $(id);
  const readout = $(id + '-readout');
  const select = (i, evt) => {
    if (i < 0 || i >= n) return;
    state.sel[id] = i;
    const s = show(i);
    readout.textContent = s;
    if (evt) tooltip.show(evt, s);
  };
  box.onmousemove = (evt) => {
    const r = box.querySelector('svg').getBoundingClientRect();
    const i = indexAt(evt.clientX - r.left, evt.clientY - r.top);
    if (i === null || i < 0) { tooltip.hide(); return; }
    select(i, evt);
  };
  box.onmouseleave = () => tooltip.hide();
  box.onkeydown = (evt) => {
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowUp: -(columns || 1), ArrowDown: columns || 1,
      PageUp: -10, PageDown: 10 }[evt.key];
    let i = state.sel[id] ?? -1;
    if (evt.key === 'Home') i = 0;
    else if (evt.key === 'End') i = n - 1;
    else if (step !== undefined) i = Math.min(n - 1, Math.max(0, (i < 0 ? 0 : i + step)));
    else return;
    evt.preventDefault();
    select(i);
  };
  box.onfocus = () => { if ((state.sel[id] ?? -1) < 0 && n > 0) select(0); };
  if ((state.sel[id] ?? -1) >= 0 && state.sel[id] < n) readout.textContent = show(state.sel[id]);
  else readout.textContent = n > 0 ? 'Hover or use the arrow keys to read the numbers.' : '';
}

function draw() {
  const d = state.data;
  if (!d.gex) return;
  drawSummary(d.summary, d.gex);
  drawLevels(d.levels, d.summary);
  drawBars(d.gex, d.levels);
  drawProfile(d.profile, d.levels);
  drawHeatmap(d.heatmap);
  drawHistory(d.history);
}

function drawSummary(s, g) {
  const regime = $('regime');
  const label = s.regime === 'positive_gamma' ? 'Positive gamma' : s.regime === 'negative_gamma' ? 'Negative gamma' : s.regime || 'n/a';
  regime.className = 'regime ' + (s.regime === 'positive_gamma' ? 'positive' : s.regime === 'negative_gamma' ? 'negative' : '');
  regime.replaceChildren(document.createTextNode(label));
  if (s.classifier && s.classifier.meaning) {
    const m = document.createElement('small');
    m.textContent = `${s.classifier.meaning} (confidence ${s.classifier.confidence}.)`;
    regime.append(m);
  }
  const unit = g.meta && g.meta.units ? g.meta.units.gex : '';
  const ex = s.exposures || {};
  const rows = [
    ['Spot', fmtPrice(s.underlying_price), 'spot'],
    ['As of', fmtTime(s.as_of), 'as_of'],
    ['Net GEX', `${fmtShort(ex.net_gex)} (${unit})`, 'net_gex'],
    ['Gamma flip', fmtPrice(s.gamma_flip), 'gamma_flip'],
    ['Net DEX', fmtShort(ex.net_dex), 'net_dex'],
    ['Net VEX', fmtShort(ex.net_vex), 'net_vex'],
    ['Net CHEX', fmtShort(ex.net_chex), 'net_chex'],
  ];
  const h = s.hedging_estimate;
  // the chain's currency: meta.units.strike names it (notional_usd is the vendor's field name)
  const currency = g.meta && g.meta.units && g.meta.units.strike ? g.meta.units.strike : 'USD';
  if (h && h.spot_down_1pct && h.spot_up_1pct) {
    rows.push(['Dealers if spot −1%', `${h.spot_down_1pct.direction} ${fmtShort(h.spot_down_1pct.notional_usd)} ${currency}`, 'hedge_down']);
    rows.push(['Dealers if spot +1%', `${h.spot_up_1pct.direction} ${fmtShort(h.spot_up_1pct.notional_usd)} ${currency}`, 'hedge_up']);
  }
  if (s.zero_dte) rows.push(['0DTE share of GEX', fmtPct(s.zero_dte.pct_of_total_gex), 'zero_dte']);
  const c = g.meta && g.meta.contracts;
  if (c) rows.push(['Contracts used', `${c.used.toLocaleString('en-US')} of ${c.total.toLocaleString('en-US')}`, 'contracts']);
  const dl = $('summary');
  dl.replaceChildren();
  for (const [k, v, key] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dd.dataset.key = key;
    dl.append(dt, dd);
  }
}

const LEVEL_NAMES = [
  ['gamma_flip', 'Gamma flip'], ['call_wall', 'Call wall'], ['put_wall', 'Put wall'],
  ['max_positive_gamma', 'Max positive gamma'], ['max_negative_gamma', 'Max negative gamma'],
  ['highest_oi_strike', 'Highest OI strike'], ['zero_dte_magnet', '0DTE magnet'],
];

function levelList(levels) {
  const L = (levels && levels.levels) || {};
  const out = LEVEL_NAMES.map(([k, name]) => [k, name, L[k]]);
  const g = levels && levels.meta && levels.meta.gex_levels;
  if (g) out.push(['resistance', 'Resistance', g.resistance], ['support', 'Support', g.support]);
  return out;
}

function drawLevels(levels, s) {
  const spot = levels.underlying_price;
  const body = $('levels').tBodies[0];
  body.replaceChildren();
  for (const [key, name, v] of levelList(levels)) {
    const tr = document.createElement('tr');
    tr.dataset.key = key;
    const cells = [name, fmtPrice(v), isNum(v) && isNum(spot) ? fmtPct((v / spot - 1) * 100) : 'n/a'];
    for (const c of cells) {
      const td = document.createElement('td');
      td.textContent = c;
      tr.append(td);
    }
    body.append(tr);
  }
}

// Vertical markers of the spot, the flip and the walls over an x scale.
function markers(svg, x, top, bottom, levels, x0, x1) {
  const L = (levels && levels.levels) || {};
  const marks = [
    [levels.underlying_price, 'spot', 'spot'], [L.gamma_flip, 'flip', 'flip'],
    [L.call_wall, 'call wall', 'level'], [L.put_wall, 'put wall', 'level'],
  ];
  // The lines where they are; their names in a column at the top right, clear of the lines
  // (spot, flip and walls are often a few strikes apart).
  const right = Number(svg.getAttribute('width')) - 12;
  let row = 0;
  for (const [v, name, cls] of marks) {
    if (!isNum(v) || v < x0 || v > x1) continue;
    const px = x(v);
    el('line', { x1: px, x2: px, y1: top, y2: bottom, class: cls }, svg);
    text(svg, right, top + 10 + 13 * row++, `${name} ${fmtPrice(v)}`, { class: cls, 'text-anchor': 'end' });
  }
}

function drawBars(g, levels) {
  const rows = g.strikes || [];
  const idx = windowed(rows.map((r) => r.strike), g.underlying_price);
  const shown = idx.map((i) => rows[i]);
  $('bars-unit').textContent = g.meta && g.meta.units ? `(${g.meta.units.gex})` : '';
  const { svg, width, height } = svgFor('bars', 320);
  $('bars').setAttribute('aria-label', `Call, put and net GEX at ${shown.length} strikes of ${g.symbol}`);
  if (!shown.length) {
    text(svg, 10, 20, 'No strike has a contract left by the filters.');
    interactive('bars', 0, () => null, () => '');
    return;
  }
  const m = { l: 64, r: 20, t: 8, b: 24 };
  let lo = 0, hi = 0;
  for (const r of shown) {
    lo = Math.min(lo, r.put_gex, r.net_gex, r.call_gex);
    hi = Math.max(hi, r.call_gex, r.net_gex, r.put_gex);
  }
  if (lo === hi) hi = 1;
  const y = linear(lo, hi, height - m.b, m.t);
  const k0 = shown[0].strike, k1 = shown[shown.length - 1].strike;
  // Bars as wide as the closest two strikes allow (strikes are not evenly spaced: 5 points
  // apart near the money, 25 or 100 further out), at most 24 px.
  let gap = Infinity;
  for (let i = 1; i < shown.length; i++) gap = Math.min(gap, shown[i].strike - shown[i - 1].strike);
  const pad = Number.isFinite(gap) ? gap / 2 : Math.max(1, Math.abs(k0) * 0.01);
  const x = linear(k0 - pad, k1 + pad, m.l, width - m.r);
  const bw = Math.min(24, Math.max(1, (x(k0 + 2 * pad) - x(k0)) * 0.8));
  const yt = ticks(lo, hi, 5), yl = tickLabels(yt);
  yt.forEach((t, i) => {
    el('line', { x1: m.l, x2: width - m.r, y1: y(t), y2: y(t), class: 'axis' }, svg);
    text(svg, m.l - 4, y(t) + 4, yl[i], { 'text-anchor': 'end' });
  });
  for (const t of ticks(k0, k1, Math.max(2, Math.floor(width / 90))))
    text(svg, x(t), height - 6, String(t), { 'text-anchor': 'middle' });
  const selRect = el('rect', { class: 'sel', x: 0, y: m.t, width: bw * 1.25, height: height - m.t - m.b, visibility: 'hidden' }, svg);
  const bars = el('g', {}, svg);
  for (const r of shown) {
    const cx = x(r.strike);
    const bar = (v, cls, w) => el('rect', {
      class: cls, x: cx - w / 2, width: w,
      y: Math.min(y(0), y(v)), height: Math.max(0.5, Math.abs(y(v) - y(0))),
    }, bars);
    bar(r.call_gex, 'call', bw);
    bar(r.put_gex, 'put', bw);
    bar(r.net_gex, 'net', Math.max(1, bw * 0.4));
  }
  el('line', { x1: m.l, x2: width - m.r, y1: y(0), y2: y(0), class: 'zero' }, svg);
  markers(svg, x, m.t, height - m.b, levels, k0 - pad, k1 + pad);
  const indexAt = (px) => {
    if (px < m.l - bw || px > width - m.r + bw) return null;
    let best = 0;
    for (let i = 1; i < shown.length; i++)
      if (Math.abs(x(shown[i].strike) - px) < Math.abs(x(shown[best].strike) - px)) best = i;
    return best;
  };
  interactive('bars', shown.length, indexAt, (i) => {
    const r = shown[i];
    selRect.setAttribute('x', x(r.strike) - bw * 0.625);
    selRect.setAttribute('visibility', 'visible');
    return `Strike ${fmtPrice(r.strike)}: calls ${fmtInt(r.call_gex)}, puts ${fmtInt(r.put_gex)}, ` +
      `net ${fmtInt(r.net_gex)} · OI ${fmtInt(r.call_oi)} calls, ${fmtInt(r.put_oi)} puts`;
  });
}

function drawProfile(p, levels) {
  const view = $('profile-view');
  view.hidden = !p;
  if (!p) return;
  const pts = (p.profile || []).filter((q) => isNum(q.x) && isNum(q.net_gex));
  const { svg, width, height } = svgFor('profile', 260);
  $('profile').setAttribute('aria-label', `Net GEX profile of ${p.symbol} over ${pts.length} spot prices`);
  if (pts.length < 2) {
    text(svg, 10, 20, 'No profile: nothing is left by the filters.');
    interactive('profile', 0, () => null, () => '');
    return;
  }
  const m = { l: 64, r: 20, t: 8, b: 24 };
  const x0 = pts[0].x, x1 = pts[pts.length - 1].x;
  let lo = Math.min(0, ...pts.map((q) => q.net_gex)), hi = Math.max(0, ...pts.map((q) => q.net_gex));
  if (lo === hi) hi = 1;
  const x = linear(x0, x1, m.l, width - m.r), y = linear(lo, hi, height - m.b, m.t);
  const yt = ticks(lo, hi, 5), yl = tickLabels(yt);
  yt.forEach((t, i) => {
    el('line', { x1: m.l, x2: width - m.r, y1: y(t), y2: y(t), class: 'axis' }, svg);
    text(svg, m.l - 4, y(t) + 4, yl[i], { 'text-anchor': 'end' });
  });
  for (const t of ticks(x0, x1, Math.max(2, Math.floor(width / 90))))
    text(svg, x(t), height - 6, String(t), { 'text-anchor': 'middle' });
  el('line', { x1: m.l, x2: width - m.r, y1: y(0), y2: y(0), class: 'zero' }, svg);
  el('path', { class: 'line', d: pts.map((q, i) => `${i ? 'L' : 'M'}${x(q.x).toFixed(1)},${y(q.net_gex).toFixed(1)}`).join('') }, svg);
  markers(svg, x, m.t, height - m.b, levels, x0, x1);
  const dot = el('circle', { class: 'dot', r: 4, cx: -10, cy: -10 }, svg);
  const indexAt = (px) => (px < m.l || px > width - m.r ? null
    : Math.round((px - m.l) / (width - m.l - m.r) * (pts.length - 1)));
  interactive('profile', pts.length, indexAt, (i) => {
    dot.setAttribute('cx', x(pts[i].x));
    dot.setAttribute('cy', y(pts[i].net_gex));
    return `Spot at ${fmtPrice(pts[i].x)}: net GEX ${fmtInt(pts[i].net_gex)}`;
  });
}

// Diverging colour of v in [-vmax, vmax]: puts' red through the panel's colour to calls' green.
function cellColour(v, vmax) {
  if (!isNum(v)) return 'none';
  const t = Math.min(1, Math.sqrt(Math.abs(v) / vmax));
  const [r, g, b] = v >= 0 ? [21, 128, 61] : [198, 40, 40];
  const mix = (c) => Math.round(245 + (c - 245) * t);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

function drawHeatmap(h) {
  const view = $('heatmap-view');
  view.hidden = !h;
  if (!h) return;
  const exps = h.expirations || [];
  const idx = windowed(h.strikes || [], h.underlying_price);
  const ks = idx.map((i) => h.strikes[i]);
  const rows = idx.map((i) => h.net_gex[i]);
  const m = { l: 64, r: 8, t: 8, b: 70 };
  const cw = Math.max(12, Math.min(40, ((($('heatmap').clientWidth || 600) - m.l - m.r) / Math.max(1, exps.length))));
  const ch = Math.max(3, Math.min(14, 420 / Math.max(1, ks.length)));
  const width = m.l + m.r + cw * exps.length, height = m.t + m.b + ch * ks.length;
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}` });
  $('heatmap').replaceChildren(svg);
  $('heatmap').setAttribute('aria-label', `Net GEX of ${ks.length} strikes by ${exps.length} expirations`);
  if (!ks.length || !exps.length) {
    text(svg, 10, 20, 'No expiration has a contract left by the filters.');
    interactive('heatmap', 0, () => null, () => '');
    return;
  }
  // The colour scale ends at the 98th percentile of |net GEX|, so that one huge cell (the
  // front expiration at the money) does not leave every other cell white; beyond it, full colour.
  const mags = [];
  for (const r of rows) for (const v of r) if (isNum(v)) mags.push(Math.abs(v));
  mags.sort((a, b) => a - b);
  const vmax = mags.length ? mags[Math.floor(0.98 * (mags.length - 1))] || mags[mags.length - 1] || 1 : 1;
  // Highest strike on top, as on a price chart.
  const rowY = (k) => m.t + (ks.length - 1 - k) * ch;
  for (let k = 0; k < ks.length; k++)
    for (let e = 0; e < exps.length; e++)
      if (isNum(rows[k][e]))
        el('rect', { class: 'cell', x: m.l + e * cw, y: rowY(k), width: cw, height: ch, fill: cellColour(rows[k][e], vmax) }, svg);
  const every = Math.max(1, Math.ceil(12 / ch));
  for (let k = 0; k < ks.length; k += every)
    text(svg, m.l - 4, rowY(k) + ch / 2 + 4, String(ks[k]), { 'text-anchor': 'end' });
  for (let e = 0; e < exps.length; e++) {
    const tx = m.l + e * cw + cw / 2, ty = m.t + ks.length * ch + 6;
    text(svg, tx, ty, exps[e].expiration.slice(2), { 'text-anchor': 'end', transform: `rotate(-60 ${tx} ${ty})` });
  }
  const spot = h.underlying_price;
  if (isNum(spot) && spot >= ks[0] && spot <= ks[ks.length - 1]) {
    let k = 0;
    while (k + 1 < ks.length && ks[k + 1] <= spot) k++;
    // A strike is at its row's middle (where its label is); the spot between two strikes is
    // between their rows' middles.
    const yy = rowY(k) + ch / 2 - ch * (spot - ks[k]) / ((ks[k + 1] || ks[k] + 1) - ks[k]);
    el('line', { x1: m.l, x2: width - m.r, y1: yy, y2: yy, class: 'spot' }, svg);
  }
  const sel = el('rect', { class: 'cell sel', x: 0, y: 0, width: cw, height: ch, visibility: 'hidden' }, svg);
  const n = ks.length * exps.length;
  // Item i: strike from the top (row), then expiration (column).
  const item = (i) => ({ k: ks.length - 1 - Math.floor(i / exps.length), e: i % exps.length });
  const indexAt = (px, py) => {
    const e = Math.floor((px - m.l) / cw), r = Math.floor((py - m.t) / ch);
    if (e < 0 || e >= exps.length || r < 0 || r >= ks.length) return null;
    return r * exps.length + e;
  };
  interactive('heatmap', n, indexAt, (i) => {
    const { k, e } = item(i);
    sel.setAttribute('x', m.l + e * cw);
    sel.setAttribute('y', rowY(k));
    sel.setAttribute('visibility', 'visible');
    const v = rows[k][e];
    return `Strike ${fmtPrice(ks[k])}, expiration ${exps[e].expiration} (${exps[e].dte} d): ` +
      (isNum(v) ? `net GEX ${fmtInt(v)}` : 'no contract');
  }, exps.length);
}

function drawHistory(doc) {
  const view = $('history-view');
  const rows = doc && Array.isArray(doc.history) ? doc.history : doc && Array.isArray(doc.rows) ? doc.rows : [];
  const pts = rows.filter((r) => r.as_of && isNum(r.net_gex));
  view.hidden = pts.length < 2;
  if (pts.length < 2) return;
  const { svg, width, height } = svgFor('history', 260);
  $('history').setAttribute('aria-label', `Net GEX and the gamma flip over ${pts.length} snapshots`);
  const m = { l: 64, r: 64, t: 8, b: 24 };
  const t = pts.map((r) => Date.parse(r.as_of));
  const x = linear(t[0], t[t.length - 1], m.l + 8, width - m.r - 8);
  let lo = Math.min(0, ...pts.map((r) => r.net_gex)), hi = Math.max(0, ...pts.map((r) => r.net_gex));
  if (lo === hi) hi = 1;
  const y = linear(lo, hi, height - m.b, m.t);
  const flips = pts.map((r) => r.gamma_flip).filter(isNum);
  const spots = pts.map((r) => r.spot).filter(isNum);
  const f0 = Math.min(...flips, ...spots), f1 = Math.max(...flips, ...spots);
  const yf = linear(f0, f1 > f0 ? f1 : f0 + 1, height - m.b, m.t);
  const yt = ticks(lo, hi, 5), yl = tickLabels(yt);
  yt.forEach((v, i) => {
    el('line', { x1: m.l, x2: width - m.r, y1: y(v), y2: y(v), class: 'axis' }, svg);
    text(svg, m.l - 4, y(v) + 4, yl[i], { 'text-anchor': 'end' });
  });
  if (flips.length) for (const v of ticks(f0, f1, 5)) text(svg, width - m.r + 4, yf(v) + 4, String(v), { class: 'flip' });
  el('line', { x1: m.l, x2: width - m.r, y1: y(0), y2: y(0), class: 'zero' }, svg);
  el('path', { class: 'line', d: pts.map((r, i) => `${i ? 'L' : 'M'}${x(t[i]).toFixed(1)},${y(r.net_gex).toFixed(1)}`).join('') }, svg);
  const fl = pts.map((r, i) => [i, r.gamma_flip]).filter(([, v]) => isNum(v));
  if (fl.length) el('path', { class: 'line2', d: fl.map(([i, v], j) => `${j ? 'L' : 'M'}${x(t[i]).toFixed(1)},${yf(v).toFixed(1)}`).join('') }, svg);
  for (let i = 0; i < pts.length; i++) el('circle', { class: 'dot', r: 2.5, cx: x(t[i]), cy: y(pts[i].net_gex) }, svg);
  text(svg, m.l, height - 6, pts[0].as_of.slice(0, 10));
  text(svg, width - m.r, height - 6, pts[pts.length - 1].as_of.slice(0, 10), { 'text-anchor': 'end' });
  text(svg, m.l + 6, m.t + 10, 'net GEX (left scale), gamma flip (right scale)', { class: 'flip' });
  const mark = el('line', { x1: -10, x2: -10, y1: m.t, y2: height - m.b, class: 'spot' }, svg);
  const indexAt = (px) => {
    let best = 0;
    for (let i = 1; i < pts.length; i++) if (Math.abs(x(t[i]) - px) < Math.abs(x(t[best]) - px)) best = i;
    return best;
  };
  interactive('history', pts.length, indexAt, (i) => {
    mark.setAttribute('x1', x(t[i]));
    mark.setAttribute('x2', x(t[i]));
    const r = pts[i];
    return `${fmtTime(r.as_of)}: net GEX ${fmtInt(r.net_gex)}, flip ${fmtPrice(r.gamma_flip)}, spot ${fmtPrice(r.spot)}`;
  });
}

// --- wiring ---

async function start() {
  $('controls').addEventListener('submit', (e) => { e.preventDefault(); load(); });
  $('symbol').addEventListener('change', () => { $('expiration').value = ''; load(); });
  $('symbol-text').addEventListener('change', () => { $('expiration').value = ''; load(); });
  $('expiration').addEventListener('change', load);
  $('min-oi').addEventListener('change', load);
  $('range').addEventListener('change', draw);
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.key = $('api-key').value;
    sessionStorage.setItem('gex-api-key', state.key);
    $('key-form').hidden = true;
    start2();
  });
  window.addEventListener('hashchange', () => {
    const wanted = hashSymbol();
    if (!wanted || wanted === state.symbol) return;
    pick(wanted);
    load();
  });
  let resizing = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizing);
    resizing = setTimeout(draw, 150);
  });
  await start2();
}

// Shows symbol in the picker: in the list (added when the folder's list lacks it, so that the
// page says plainly it has no data) or in the text field.
function pick(symbol) {
  if ($('symbol-text').hidden) {
    const select = $('symbol');
    if (![...select.options].some((o) => o.value === symbol)) {
      const o = document.createElement('option');
      o.value = symbol;
      o.textContent = symbol;
      select.append(o);
    }
    select.value = symbol;
  } else {
    $('symbol-text').value = symbol;
  }
  $('expiration').value = '';
}

async function start2() {
  await loadSymbols();
  const wanted = hashSymbol();
  if (wanted === null) return;
  if (wanted) pick(wanted);
  if (chosenSymbol()) await load();
  else if (!$('symbol-text').hidden && $('message').hidden) say('Type a symbol (for example SPX) and press Enter.');
}

start();
