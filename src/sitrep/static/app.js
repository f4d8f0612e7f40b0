// sitrep's page: a map, a timeline, a filter bar reflected in the URL, an event panel with each
// claim highlighted in its article, and a box to add an article. Article text is untrusted: it
// only ever reaches the page as DOM text nodes (textContent), never as HTML.
"use strict";

const FILTERS = ["country", "type", "from", "to", "actor", "text", "min-fatalities"];
const LIST_PAGE = 100;  // events listed at a time, newest first
const SIZES = [[200, 34, 4], [50, 27, 3], [10, 21, 2], [1, 15, 1], [0, 11, 0]]; // [fatalities at least, px, class]
const state = {filters: {}, selected: null, status: null, map: null, cluster: null, markers: new Map()};

// --- small helpers ------------------------------------------------------------------------------

/** An element with class names and children (strings become text nodes, never HTML). */
function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** An SVG element with attributes. */
function svg(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  return node;
}

/** A CSS-safe slug of an ACLED type, for colour classes. */
const slug = (text) => (text || "none").toLowerCase().replace(/[^a-z0-9]+/g, "-");

/** GET a JSON API path; throws with the server's error message. */
async function api(path, params) {
  const query = params ? "?" + new URLSearchParams(params) : "";
  const response = await fetch(path + query, {headers: {Accept: "application/json"}});
  const body = await response.json();
  if (!response.ok) throw new Error(body.error || response.statusText);
  return body;
}

/** The current filters without empty values (and without dates when asked). */
function filterParams(withDates = true) {
  const out = {};
  for (const [k, v] of Object.entries(state.filters)) {
    if (v && (withDates || (k !== "from" && k !== "to"))) out[k] = v;
  }
  return out;
}

/** A link only for http(s) addresses; anything else (javascript:, data:) stays plain text. */
function safeLink(url, label) {
  if (!/^https?:\/\//i.test(url || "")) return el("span", "", label || url || "");
  const a = el("a", "", label || url);
  a.href = url;
  a.rel = "noopener noreferrer";
  a.target = "_blank";
  return a;
}

const place = (loc) => (loc ? [loc.name, loc.admin1, loc.country].filter(Boolean).join(", ") : "place unknown");
const actors = (e) => [e.actor1, e.actor2].filter(Boolean).map((a) => a.name).join(" vs ") || "actors unknown";
const toll = (e) => (e.fatalities_low === null ? "0 (no deaths reported)"
  : e.fatalities_low === e.fatalities_high ? String(e.fatalities)
    : `${e.fatalities} (claims range ${e.fatalities_low}–${e.fatalities_high})`);

// --- filters and the URL -------------------------------------------------------------------------

function readUrl() {
  const params = new URLSearchParams(location.search);
  state.filters = Object.fromEntries(FILTERS.map((k) => [k, params.get(k) || ""]));
  state.selected = params.get("event");
  const form = document.getElementById("filters");
  for (const k of FILTERS) form.elements[k].value = state.filters[k];
}

function writeUrl() {
  const params = new URLSearchParams(filterParams());
  if (state.selected) params.set("event", state.selected);
  const query = params.toString();
  history.replaceState(null, "", query ? "?" + query : location.pathname);
}

function setFilters(changes) {
  Object.assign(state.filters, changes);
  const form = document.getElementById("filters");
  for (const k of FILTERS) form.elements[k].value = state.filters[k] || "";
  writeUrl();
  return refresh();
}

// --- the map -------------------------------------------------------------------------------------

async function initMap() {
  state.map = L.map("map", {worldCopyJump: true, minZoom: 1, maxZoom: 12}).setView([20, 20], 2);
  state.map.attributionControl.addAttribution("Natural Earth");
  // Natural Earth's 1:50m countries, vendored with the page (static/basemap/README.md), with their names as labels
  const topo = await (await fetch("/static/basemap/countries-50m.json")).json();
  const shapes = topojson.feature(topo, topo.objects.countries);
  L.geoJSON(shapes, {style: {color: "#8a8f98", weight: 0.6, fillColor: "#eceae4", fillOpacity: 1},
    interactive: false}).addTo(state.map);
  state.labels = L.layerGroup(shapes.features.filter((f) => f.geometry).map((f) => L.marker(labelPoint(f), {
    interactive: false, keyboard: false,
    icon: L.divIcon({className: "country-label", html: "", iconSize: null})}).bindTooltip(f.properties.name, {
    permanent: true, direction: "center", className: "country-name", interactive: false})));
  const showLabels = () => {
    if (state.map.getZoom() >= 3) state.labels.addTo(state.map); else state.labels.remove();
  };
  state.map.on("zoomend", showLabels);
  showLabels();
  state.cluster = L.markerClusterGroup({maxClusterRadius: 40, showCoverageOnHover: false,
    iconCreateFunction: clusterIcon});
  state.map.addLayer(state.cluster);
  state.map.on("moveend", () => { if (!state.fitting) drawMap(false).catch(() => {}); });
  const legend = L.control({position: "bottomleft"});
  legend.onAdd = () => el("div", "legend-box",
    ...(state.status ? state.status.event_types : []).map((t) => el("div", `key t-${slug(t)}`,
      el("span", "ev swatch"), " ", t)),
    el("div", "key", el("span", "ev swatch coarse"), " district, province or country only"),
    el("div", "key", "size: people killed"));
  state.legend = legend;
}

/** A cluster of markers: a disc with their count, coloured by the type most of them have (as the server's cells). */
function clusterIcon(cluster) {
  const counts = new Map();
  for (const m of cluster.getAllChildMarkers()) counts.set(m.options.eventType, (counts.get(m.options.eventType) || 0) + 1);
  const main = [...counts].sort((a, b) => b[1] - a[1])[0][0];
  const n = cluster.getChildCount();
  const px = Math.min(48, 18 + Math.round(Math.log2(n) * 4));
  return L.divIcon({className: `ev cell t-${slug(main)}`, iconSize: [px, px], html: String(n)});
}

/** The view's box as the API takes it (west,south,east,north), or null when the view spans the whole world. */
function viewBox() {
  const box = state.map.getBounds();
  if (box.getEast() - box.getWest() >= 360) return null;
  const lon = (x) => ((((x + 180) % 360) + 360) % 360) - 180;
  return [lon(box.getWest()), Math.max(-90, box.getSouth()), lon(box.getEast()), Math.min(90, box.getNorth())]
    .map((x) => x.toFixed(4)).join(",");
}

/** Labels for the larger towns of the view, from the gazetteer, once zoomed in past where country names suffice. */
async function drawTowns() {
  const asked = state.townsAsked = (state.townsAsked || 0) + 1;
  const bbox = state.map.getZoom() >= 5 ? viewBox() : null;
  const found = bbox ? (await api("/api/towns", {bbox, limit: 25})).towns : [];
  if (asked !== state.townsAsked) return;  // a later view asked meanwhile: its labels win
  if (state.towns) state.towns.remove();
  state.towns = L.layerGroup(found.map((t) => L.marker([t.lat, t.lon], {interactive: false, keyboard: false,
    icon: L.divIcon({className: "town-label", html: "", iconSize: null})}).bindTooltip(t.name, {
    permanent: true, direction: "right", className: "town-name", interactive: false}))).addTo(state.map);
}

/** Where a country's name goes: the middle of its largest ring's box (Alaska is not where "United States" goes). */
function labelPoint(feature) {
  const polygons = feature.geometry.type === "Polygon" ? [feature.geometry.coordinates] : feature.geometry.coordinates;
  let best = null, area = -1;
  for (const polygon of polygons) {
    const ring = polygon[0];
    const lons = ring.map((p) => p[0]), lats = ring.map((p) => p[1]);
    const box = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
    const size = (box[2] - box[0]) * (box[3] - box[1]);
    if (size > area) { area = size; best = box; }
  }
  return [(best[1] + best[3]) / 2, (best[0] + best[2]) / 2];
}

// a point that stands for a whole district, province or country is drawn hollow: it is not where it happened
const COARSE = new Set(["district", "province", "country", "region"]);

/** The map's view, asked of the server: the events themselves when few, else cells of events per type. With `fit`
 * the whole filter is asked and the map fits it; else only what the current view shows. */
async function drawMap(fit) {
  const params = filterParams();
  const bbox = fit ? null : viewBox();
  if (bbox) params.bbox = bbox;
  const view = await api("/api/map", params);
  if (view.points) drawMarkers(view.points, fit); else drawCells(view.clusters, fit);
  drawTowns().catch(() => {});  // labels are a help: the view does not wait for them, nor fails without them
}

/** Cells of many events: a disc with their count, coloured by the type most of them have; a click zooms in. */
function drawCells(cells, fit) {
  if (state.cells) state.map.removeLayer(state.cells);
  state.cluster.clearLayers();
  state.markers.clear();
  const layers = cells.map((c) => {
    const main = Object.entries(c.types).sort((a, b) => b[1] - a[1])[0][0];
    const px = Math.min(48, 18 + Math.round(Math.log2(c.events) * 4));
    const icon = L.divIcon({className: `ev cell t-${slug(main)}`, iconSize: [px, px], html: ""});
    icon.options.html = String(c.events);
    const marker = L.marker([c.lat, c.lon], {icon, title: `${c.events} events, ${c.fatalities} killed`});
    marker.on("click", () => state.map.setView([c.lat, c.lon], state.map.getZoom() + 2));
    return marker;
  });
  state.map.addLayer(state.cells = L.layerGroup(layers));
  if (fit && layers.length) fitTo(L.featureGroup(layers).getBounds());
}

/** Fit the map to a box without asking the server again for the view the fit makes. */
function fitTo(bounds) {
  state.fitting = true;
  state.map.fitBounds(bounds, {maxZoom: 7, padding: [20, 20], animate: false});
  state.fitting = false;
}

function drawMarkers(events, fit) {
  if (state.cells) state.map.removeLayer(state.cells);
  state.cluster.clearLayers();
  state.markers.clear();
  const points = [];
  for (const e of events) {
    const loc = e.location;
    if (!loc || loc.lat === null || loc.lon === null) continue;
    const [, px, size] = SIZES.find(([least]) => e.fatalities >= least);
    const coarse = COARSE.has(loc.precision) ? " coarse" : "";
    const selected = e.id === state.selected ? " chosen" : "";
    const icon = L.divIcon({className: `ev t-${slug(e.event_type)} s-${size}${coarse}${selected}`, iconSize: [px, px],
      html: ""});
    const marker = L.marker([loc.lat, loc.lon], {icon, title: `${e.date || "?"} ${e.event_type}: ${place(loc)}`,
      alt: e.id, eventType: e.event_type});
    marker.on("click", () => selectEvent(e.id));
    state.markers.set(e.id, marker);
    points.push(marker);
  }
  state.cluster.addLayers(points);
  if (fit && points.length) fitTo(state.cluster.getBounds());
}

// --- the list ------------------------------------------------------------------------------------

function drawList(page) {
  // what the map and the timeline cannot show is said, not dropped
  const missing = [page.without_point && `${page.without_point} without a point (not on the map)`,
    page.without_date && `${page.without_date} without a date (not on the timeline)`].filter(Boolean);
  document.getElementById("missing").textContent = missing.join("; ");
  for (const link of document.querySelectorAll("#exports a")) {
    link.href = "/api/export?" + new URLSearchParams({...filterParams(), format: link.dataset.format});
  }
  document.getElementById("events").replaceChildren();
  appendList(page);
}

/** Add a page of events to the list, with a button for the next page while there is one. */
function appendList(page) {
  const list = document.getElementById("events");
  list.querySelector("li.more")?.remove();
  list.append(...page.items.map((e) => {
    const item = el("li", `t-${slug(e.event_type)}`,
      el("button", "pick", el("span", "date", e.date || "date unknown"), " ",
        el("strong", "", e.sub_event_type || e.event_type), " — ", place(e.location), " ",
        el("span", "toll", `† ${e.fatalities}`)));
    item.dataset.id = e.id;
    item.classList.toggle("selected", e.id === state.selected);
    item.firstChild.addEventListener("click", () => selectEvent(e.id));
    return item;
  }));
  const shown = page.offset + page.items.length;
  document.getElementById("count").textContent = `${page.total} event${page.total === 1 ? "" : "s"}` +
    (shown < page.total ? ` (newest ${shown})` : "");
  if (shown < page.total) {
    const more = el("button", "more-button", `Show ${Math.min(LIST_PAGE, page.total - shown)} more`);
    more.addEventListener("click", async () => {
      more.disabled = true;
      appendList(await api("/api/events", {...filterParams(), limit: LIST_PAGE, offset: shown}));
    });
    list.append(el("li", "more", more));
  }
}

// --- the timeline --------------------------------------------------------------------------------

const DAY = 86400000;
const dayOf = (iso) => Date.parse(iso + "T00:00:00Z");
const isoOf = (ms) => new Date(ms).toISOString().slice(0, 10);

/** Evenly spaced dates to label an axis from first to last (days as ms): months over a long span, else days. */
function ticks(first, last, count) {
  const span = last - first, out = [];
  for (let i = 0; i <= count; i++) {
    const at = first + Math.round((span * i) / count / DAY) * DAY;
    out.push([at, span > 180 * DAY ? isoOf(at).slice(0, 7) : isoOf(at)]);
  }
  return out;
}

function drawTimeline(tally) {
  const chart = document.getElementById("bars");
  // a brushed range zooms the timeline to it; "All dates" zooms back out
  const all = tally.items.filter((t) => t.key);
  const first = state.filters.from ? dayOf(state.filters.from) : all.length ? dayOf(all[0].key) : null;
  const last = state.filters.to ? dayOf(state.filters.to) : all.length ? dayOf(all[all.length - 1].key) : null;
  const days = all.filter((t) => dayOf(t.key) >= first && dayOf(t.key) <= last);
  chart.replaceChildren();
  document.getElementById("unbrush").disabled = !state.filters.from && !state.filters.to;
  if (!days.length) return;
  const n = Math.round((last - first) / DAY) + 1;
  const width = chart.clientWidth || 800, height = 90, mid = 58;
  const step = width / n;
  const maxEvents = Math.max(...days.map((t) => t.events)), maxDead = Math.max(1, ...days.map((t) => t.fatalities));
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  for (const t of days) {
    const x = ((dayOf(t.key) - first) / DAY) * step, w = Math.max(1, Math.min(24, step - 1));
    const h = (t.events / maxEvents) * (mid - 4), f = (t.fatalities / maxDead) * (height - mid - 4);
    const bar = svg("rect", {x, y: mid - h, width: w, height: h, class: "bar-events"});
    bar.append(svg("title"));
    bar.firstChild.textContent = `${t.key}: ${t.events} event(s), ${t.fatalities} killed`;
    chart.append(bar, svg("rect", {x, y: mid + 2, width: w, height: f, class: "bar-fatalities"}));
  }
  for (const [at, label] of ticks(first, last, Math.max(1, Math.min(6, n - 1)))) {
    const x = Math.min(width - 1, ((at - first) / DAY) * step);
    const end = x > width * 0.9 ? " end" : x < width * 0.1 ? "" : " mid";
    const text = svg("text", {x: end === " end" ? width - 2 : x + 2, y: height - 2, class: "axis tick" + end});
    text.textContent = label;
    chart.append(svg("line", {x1: x, x2: x, y1: 0, y2: height - 12, class: "tick-line"}), text);
  }
  const brush = svg("rect", {class: "brush", x: 0, y: 0, width: 0, height});
  chart.append(brush);
  const toDay = (px) => isoOf(first + Math.min(n - 1, Math.max(0, Math.floor(px / step))) * DAY);
  chart.onpointerdown = (down) => {
    const box = chart.getBoundingClientRect(), scale = width / box.width;
    const start = (down.clientX - box.left) * scale;
    chart.setPointerCapture(down.pointerId);
    chart.onpointermove = (move) => {
      const now = (move.clientX - box.left) * scale;
      brush.setAttribute("x", Math.min(start, now));
      brush.setAttribute("width", Math.abs(now - start));
    };
    chart.onpointerup = (up) => {
      chart.onpointermove = chart.onpointerup = null;
      const end = (up.clientX - box.left) * scale;
      setFilters({from: toDay(Math.min(start, end)), to: toDay(Math.max(start, end))});
    };
  };
}

// --- the event panel -----------------------------------------------------------------------------

/** Code-point slices, so that offsets computed in Python (code points) match in JavaScript (UTF-16). */
function highlighted(text, claims) {
  const chars = Array.from(text || "");
  const out = document.createDocumentFragment();
  let at = 0;
  for (const c of [...claims].sort((a, b) => a.start - b.start)) {
    if (c.start < at || c.end > chars.length || c.end <= c.start) continue; // overlapping or out of range
    out.append(chars.slice(at, c.start).join(""));
    const mark = el("mark", `k-${c.kind}${c.superseded ? " superseded" : ""}${c.aggregate ? " aggregate" : ""}`,
      chars.slice(c.start, c.end).join(""));
    mark.title = `${c.kind}: ${c.count ?? "?"} — ${c.claimant || "unattributed"}${c.aggregate ? " (a total over many incidents, not added)" : ""}`;
    out.append(mark, el("span", "claimant", c.claimant || "unattributed"));
    at = c.end;
  }
  out.append(chars.slice(at).join(""));
  return out;
}

/** Who a count counts: its subject, with "people" and the like standing for everyone. */
const countedGroup = (c) => (!c.subject || /^(people|persons|individuals|victims|others|dead|bodies)$/i.test(c.subject)
  ? "all" : c.subject.toLowerCase());

/** The killed tolls, one row per claimant (its canonical name): figures for different groups add ("20 soldiers +
 * 13 militants"), breakdowns sit under their total, a claimant who counts the same people as another with a
 * different figure is a conflict, and totals over many incidents are listed apart, never added. */
function tollTable(event) {
  const byClaimant = new Map();
  const totals = [];
  for (const r of event.reports) {
    const claims = r.event.claims;
    claims.forEach((c) => {
      if (c.kind !== "killed" || c.superseded) return;
      if (c.aggregate) { totals.push(c); return; }
      if (c.part_of !== null) return;  // shown under its total
      const who = c.claimant_canonical || c.claimant || "unattributed";
      if (!byClaimant.has(who)) byClaimant.set(who, {figures: [], sources: new Set()});
      const row = byClaimant.get(who);
      if (!row.figures.some((f) => f.c.count === c.count && countedGroup(f.c) === countedGroup(c))) {
        row.figures.push({c, parts: claims.filter((p) => p.part_of === claims.indexOf(c) && !p.superseded)});
      }
      if (r.source) row.sources.add(r.source);
    });
  }
  if (!byClaimant.size && !totals.length) return null;
  // the same people counted differently by two claimants ("people" counts everyone, so any group too)
  const counted = [...byClaimant].flatMap(([who, row]) => row.figures.map(({c}) => [who, countedGroup(c), c.count]));
  const conflicting = new Set();
  for (const [who, group, count] of counted) {
    for (const [other, otherGroup, otherCount] of counted) {
      const same = group === otherGroup || group === "all" || otherGroup === "all";
      if (other !== who && same && count !== otherCount) conflicting.add(who).add(other);
    }
  }
  const table = el("table", conflicting.size ? "tolls conflict" : "tolls",
    el("caption", "", conflicting.size ? "Conflicting tolls" : "Tolls"),
    el("tr", "", el("th", "", "according to"), el("th", "", "killed"), el("th", "", "source")));
  for (const [who, row] of byClaimant) {
    const figures = el("td", "num");
    row.figures.forEach(({c, parts}, i) => {
      if (i) figures.append(" + ");  // different groups of one claimant add
      figures.append(el("span", "figure", c.as_written));
      if (parts.length) figures.append(el("div", "parts", "of whom ", parts.map((p) => p.as_written).join(", ")));
    });
    table.append(el("tr", conflicting.has(who) ? "disputed" : "", el("td", "", who), figures,
      el("td", "", [...row.sources].join(", "))));
  }
  if (totals.length) {
    table.append(el("tr", "totals", el("td", "", "totals over many incidents (not added)"),
      el("td", "", totals.map((c) => `${c.as_written} (${c.claimant || "unattributed"})`).join("; ")), el("td", "")));
  }
  return table;
}

function articleBlock(article, claims) {
  const pick = (field) => claims.filter((c) => c.field === field);
  return el("section", "article",
    el("h4", "", highlighted(article.headline || "(no headline)", pick("headline"))),
    article.caption ? el("p", "caption", highlighted(article.caption, pick("caption"))) : null,
    el("p", "meta", [article.source, article.published].filter(Boolean).join(" · "), " ",
      article.url ? safeLink(article.url, "link") : null),
    el("div", "text", highlighted(article.text, pick("text"))));
}

async function selectEvent(id) {
  state.selected = id;
  writeUrl();
  const panel = document.getElementById("panel");
  for (const li of document.querySelectorAll("#events li")) li.classList.toggle("selected", li.dataset.id === id);
  for (const [key, marker] of state.markers) {
    const icon = marker.getElement && marker.getElement();
    if (icon) icon.classList.toggle("chosen", key === id);
  }
  const marker = state.markers.get(id);
  if (marker) state.cluster.zoomToShowLayer(marker, () => marker.getElement()?.classList.add("chosen"));
  let e;
  try {
    e = await api("/api/events/" + id.split("/").map(encodeURIComponent).join("/"));
  } catch (err) {
    panel.replaceChildren(el("p", "error", err.message));
    panel.hidden = false;
    return;
  }
  const close = el("button", "close", "×");
  close.title = "close";
  close.addEventListener("click", () => { panel.hidden = true; state.selected = null; writeUrl(); });
  let articles;
  try {  // the event names its articles; their text comes one article at a time
    articles = await Promise.all(e.articles.map((a) => api("/api/article", {document: a.document_id, index: a.index})));
  } catch (err) {
    panel.replaceChildren(el("p", "error", err.message));
    panel.hidden = false;
    return;
  }
  if (state.selected !== id) return;  // another event was chosen meanwhile
  const claimsOf = (doc, index) => e.reports.filter((r) => r.document_id === doc)
    .flatMap((r) => r.event.claims).filter((c) => c.article === index);
  panel.replaceChildren(...[close,
    el("h2", `t-${slug(e.event_type)}`, e.event_type, e.sub_event_type ? ` / ${e.sub_event_type}` : ""),
    el("dl", "",
      el("dt", "", "When"), el("dd", "", e.date || "date unknown", e.date_end ? ` to ${e.date_end}` : ""),
      el("dt", "", "Where"), el("dd", "", place(e.location)),
      el("dt", "", "Who"), el("dd", "", actors(e)),
      el("dt", "", "Killed"), el("dd", "toll", toll(e)),
      el("dt", "", "Reports"), el("dd", "", String(e.reports.length))),
    tollTable(e),
    e.reasons.length ? el("details", "", el("summary", "", "Why these reports are one event"),
      el("ul", "", ...e.reasons.map((why) => el("li", "", why)))) : null,
    el("h3", "", "Claims in their articles"),
    ...articles.map((a) => articleBlock(a, claimsOf(a.document_id, a.index)))].filter(Boolean));
  panel.hidden = false;
  panel.dataset.event = id;  // which event the panel shows, once drawn
  panel.scrollIntoView({block: "nearest"});
}

// --- adding an article ---------------------------------------------------------------------------

async function ingest(event) {
  event.preventDefault();
  const form = event.target, status = document.getElementById("ingest-status");
  const file = form.elements.file.files[0];
  const body = file ? await file.text() : form.elements.text.value;
  const format = file ? ({html: "html", htm: "html", jsonl: "jsonl"}[file.name.split(".").pop().toLowerCase()]
    || "auto") : "auto";
  if (!body.trim()) { status.textContent = "nothing to send"; return; }
  const params = new URLSearchParams({format});
  if (form.elements.published.value) params.set("published", form.elements.published.value);
  status.textContent = "extracting…";
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;  // one request at a time; given back whatever happens
  let response, result;
  try {
    response = await fetch("/api/ingest?" + params, {method: "POST", body,
      headers: {"Content-Type": "text/plain; charset=utf-8", Authorization: "Bearer " + form.elements.token.value}});
    result = await response.json();
  } catch (err) {
    status.textContent = "failed: " + (response ? `the server answered ${response.status}` : "no answer from the server");
    return;
  } finally {
    button.disabled = state.status ? state.status.read_only : false;
  }
  if (!response.ok) { status.textContent = "refused: " + result.error; return; }
  if (response.status === 202) {  // a large body or several documents: follow the background job
    button.disabled = true;
    try {
      do {
        status.textContent = `extracting in the background… ${result.done ?? 0} of ${result.total} document(s)`;
        await new Promise((done) => setTimeout(done, 1000));
        result = await api(result.status_url || `/api/jobs/${result.id}`);
      } while (result.state === "queued" || result.state === "running");
    } catch (err) {
      status.textContent = "lost track of the job: " + err.message;
      return;
    } finally {
      button.disabled = state.status ? state.status.read_only : false;
    }
    if (result.state === "failed") { status.textContent = "failed: " + result.error; return; }
  }
  status.textContent = "stored";
  const out = document.getElementById("ingest-result");
  out.replaceChildren(...result.documents.map((d) => el("div", "doc",
    el("p", "", `${d.outcome}${d.problem ? ": " + d.problem : ""} — ${d.events.length} event(s)`),
    el("ul", "", ...d.events.map((e) => {
      const pick = el("button", "pick", `${e.date || "date unknown"} ${e.sub_event_type || e.event_type} — ` +
        `${place(e.location)} † ${toll(e)}`);
      pick.addEventListener("click", () => selectEvent(e.id));
      return el("li", `t-${slug(e.event_type)}`, pick);
    })))));
  await loadChoices();
  await refresh();
}

// --- start ---------------------------------------------------------------------------------------

async function loadChoices() {
  const [status, countries] = await Promise.all([api("/api/status"), api("/api/aggregates", {by: "country"})]);
  state.status = status;
  const form = document.getElementById("filters");
  const fill = (select, values) => {
    const keep = select.value;
    select.replaceChildren(el("option", "", "any"), ...values.map((v) => el("option", "", v)));
    select.firstChild.value = "";
    select.value = keep;
  };
  fill(form.elements.country, countries.items.map((t) => t.key).filter(Boolean));
  fill(form.elements.type, status.event_types);
  form.elements.country.value = state.filters.country || "";
  form.elements.type.value = state.filters.type || "";
  const ingestForm = document.getElementById("ingest-form");
  ingestForm.querySelector("button").disabled = status.read_only;
  if (status.read_only) document.getElementById("ingest-status").textContent = "read-only server (no SITREP_TOKEN)";
}

async function refresh() {
  try {
    const [page, tally] = await Promise.all([
      api("/api/events", {...filterParams(), limit: LIST_PAGE}),
      api("/api/aggregates", {...filterParams(false), by: "day"}),
    ]);
    drawList(page);
    drawTimeline(tally);
    await drawMap(true);
  } catch (err) {
    document.getElementById("count").textContent = "error: " + err.message;
  }
}

async function start() {
  readUrl();
  document.getElementById("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    setFilters(Object.fromEntries(FILTERS.map((k) => [k, form.elements[k].value.trim()])));
  });
  document.getElementById("clear").addEventListener("click",
    () => setFilters(Object.fromEntries(FILTERS.map((k) => [k, ""]))));
  document.getElementById("unbrush").addEventListener("click", () => setFilters({from: "", to: ""}));
  document.getElementById("ingest-form").addEventListener("submit", ingest);
  await initMap();
  await loadChoices();
  state.legend.addTo(state.map);  // the event types come with the status
  await refresh();
  if (state.selected) await selectEvent(state.selected);
  document.body.dataset.ready = "yes";
}

window.addEventListener("DOMContentLoaded", start);
