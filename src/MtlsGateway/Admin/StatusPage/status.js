// The status page's script: served from the admin listener itself (CSP script-src 'self'), it reads only the admin
// listener's own JSON (connect-src 'self') and builds the tables with textContent, never HTML: certificate names and
// hints come from clients.
'use strict';
(() => {
  const refreshMs = 5000;
  const data = { partners: [], refusals: [], expiry: [], routes: [], migration: [] };
  const sorts = {};
  const byId = (id) => document.getElementById(id);

  const text = (value) => (value === null || value === undefined ? '' : String(value));
  const time = (value) => {
    if (!value) return '';
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? text(value) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  };
  const days = (value) => (value === null || value === undefined ? '' : Math.floor(value));
  const percent = (part, whole) => (whole > 0 ? `${(100 * part / whole).toFixed(1)} %` : '—');

  const tables = {
    partners: {
      rows: () => data.partners,
      rowClass: (p) => (p.daysLeft < 0 ? 'expired' : p.expiring ? 'expiring' : ''),
      columns: [
        { label: 'Subject', value: (p) => p.subject },
        { label: 'SPIFFE ID / DNS', value: (p) => [p.spiffeId, p.dnsNames].filter(Boolean).join(' ') },
        { label: 'Policy', value: (p) => p.policy },
        { label: 'SHA-256', value: (p) => p.sha256, cls: 'hash' },
        { label: 'Not after', value: (p) => time(p.notAfter), sort: (p) => p.notAfter },
        { label: 'Days left', value: (p) => days(p.daysLeft), sort: (p) => p.daysLeft },
        { label: 'First seen', value: (p) => time(p.firstSeen), sort: (p) => p.firstSeen },
        { label: 'Last seen', value: (p) => time(p.lastSeen), sort: (p) => p.lastSeen },
        { label: 'Requests', value: (p) => p.requests, sort: (p) => p.requests },
        { label: 'Remote IPs', value: (p) => (p.remoteIps || []).join(', ') },
      ],
    },
    refusals: {
      rows: () => data.refusals,
      filter: (r) => (!byId('refusals-reason').value || r.reason === byId('refusals-reason').value)
        && (!byId('refusals-policy').value || r.policy === byId('refusals-policy').value),
      rowClass: (r) => (r.event === 'CertificateReported' ? 'expiring' : ''),
      columns: [
        { label: 'Time', value: (r) => time(r.lastSeen), sort: (r) => r.lastSeen },
        { label: 'Event', value: (r) => r.event },
        { label: 'Reason', value: (r) => r.reason },
        { label: 'Count', value: (r) => r.count, sort: (r) => r.count },
        { label: 'Hint', value: (r) => r.hint, cls: 'hint' },
        { label: 'Who', value: (r) => r.certSubject || '(no certificate)' },
        { label: 'From', value: (r) => r.remoteIp },
        { label: 'SNI', value: (r) => r.sni },
        { label: 'Route', value: (r) => r.route },
        { label: 'Policy', value: (r) => r.policy },
      ],
    },
    expiry: {
      rows: () => data.expiry,
      rowClass: (e) => (e.daysLeft < 0 ? 'expired' : e.warning ? 'expiring' : ''),
      columns: [
        { label: 'Kind', value: (e) => e.kind },
        { label: 'Name', value: (e) => e.name },
        { label: 'Trust store / policy', value: (e) => e.scope },
        { label: 'Expires', value: (e) => time(e.at), sort: (e) => e.at },
        { label: 'Days left', value: (e) => days(e.daysLeft), sort: (e) => e.daysLeft },
        { label: 'SHA-256', value: (e) => e.sha256, cls: 'hash' },
      ],
    },
    routes: {
      rows: () => data.routes,
      columns: [
        { label: 'Route', value: (r) => r.route },
        { label: 'Hosts', value: (r) => (r.hosts || []).join(', ') || '(any)' },
        { label: 'Path', value: (r) => r.path || '(any)' },
        { label: 'Mode', value: (r) => r.mode },
        { label: 'Policy', value: (r) => r.policy },
        { label: 'Trust store', value: (r) => r.trustStore },
        { label: 'Invalid certificate', value: (r) => (r.mode === 'Permissive' ? r.invalidCertificate : '') },
        { label: 'Requests', value: (r) => (r.migration ? r.migration.requests : ''), sort: (r) => (r.migration ? r.migration.requests : -1) },
        { label: 'Without verified certificate', value: (r) => (r.migration ? percent(r.migration.unverified, r.migration.requests) : ''),
          sort: (r) => (r.migration && r.migration.requests ? r.migration.unverified / r.migration.requests : -1) },
      ],
    },
    migration: {
      rows: () => data.migration,
      rowClass: (c) => (c.verified === 'FAILED' ? 'expiring' : ''),
      columns: [
        { label: 'Route', value: (c) => c.route },
        { label: 'Remote IP', value: (c) => c.remoteIp },
        { label: 'Verified', value: (c) => c.verified },
        { label: 'Failure', value: (c) => c.failure },
        { label: 'Certificate', value: (c) => c.subject },
        { label: 'Requests', value: (c) => c.requests, sort: (c) => c.requests },
        { label: 'Last seen', value: (c) => time(c.lastSeen), sort: (c) => c.lastSeen },
      ],
    },
  };

  function compare(a, b) {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    return text(a).localeCompare(text(b), undefined, { numeric: true });
  }

  function header(name, table) {
    const row = document.createElement('tr');
    table.columns.forEach((column, index) => {
      const th = document.createElement('th');
      th.scope = 'col';
      const sort = sorts[name];
      if (sort && sort.index === index) th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = column.label;
      button.addEventListener('click', () => {
        const current = sorts[name];
        sorts[name] = { index, dir: current && current.index === index ? -current.dir : 1 };
        render(name);
      });
      th.appendChild(button);
      row.appendChild(th);
    });
    const thead = document.createElement('thead');
    thead.appendChild(row);
    return thead;
  }

  function render(name) {
    const table = tables[name];
    const element = byId(name);
    const query = (byId(`${name}-filter`) || { value: '' }).value.trim().toLowerCase();
    let rows = table.rows().filter((row) => (!table.filter || table.filter(row))
      && (!query || table.columns.some((c) => text(c.value(row)).toLowerCase().includes(query))));
    const sort = sorts[name];
    if (sort) {
      const column = table.columns[sort.index];
      const key = column.sort || column.value;
      rows = rows.slice().sort((a, b) => sort.dir * compare(key(a), key(b)));
    }

    const body = document.createElement('tbody');
    rows.forEach((row) => {
      const tr = document.createElement('tr');
      const cls = table.rowClass ? table.rowClass(row) : '';
      if (cls) tr.className = cls;
      table.columns.forEach((column) => {
        const td = document.createElement('td');
        td.textContent = text(column.value(row));
        if (column.cls) td.className = column.cls;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = document.createElement('td');
      td.colSpan = table.columns.length;
      td.className = 'empty';
      td.textContent = table.rows().length === 0 ? 'nothing yet' : 'nothing matches the filter';
      tr.appendChild(td);
      body.appendChild(tr);
    }

    element.replaceChildren(header(name, table), body);
    const count = byId(`${name}-count`);
    if (count) count.textContent = rows.length === table.rows().length ? `(${rows.length})` : `(${rows.length} of ${table.rows().length})`;
  }

  function options(select, values) {
    const chosen = select.value;
    const first = select.options[0];
    select.replaceChildren(first);
    [...new Set(values.filter(Boolean))].sort().forEach((value) => {
      const option = document.createElement('option');
      option.value = value;
      option.textContent = value;
      select.appendChild(option);
    });
    select.value = values.includes(chosen) ? chosen : '';
  }

  function showConfig(config) {
    const list = byId('config');
    const items = [['version', config.version], ['hash', config.hash], ['loaded at', time(config.loadedAt)],
      ['last reload refused at', time(config.lastReloadFailedAt) || '—']];
    list.replaceChildren(...items.flatMap(([label, value]) => {
      const dt = document.createElement('dt');
      dt.textContent = label;
      const dd = document.createElement('dd');
      dd.textContent = text(value);
      return [dt, dd];
    }));
    const errors = byId('config-errors');
    errors.replaceChildren(...(config.lastReloadErrors || []).map((error) => {
      const li = document.createElement('li');
      li.textContent = error;
      return li;
    }));
    byId('summary').textContent = `configuration version ${config.version}, hash ${text(config.hash).slice(0, 12)}…, loaded ${time(config.loadedAt)}`;
  }

  async function get(path) {
    const response = await fetch(path, { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return response.json();
  }

  async function refresh() {
    try {
      const [partners, refusals, expiry, routes, config] = await Promise.all(
        ['/api/partners', '/api/refusals', '/api/expiry', '/api/routes', '/config'].map(get));
      data.partners = partners.partners;
      data.refusals = refusals.refusals;
      data.expiry = expiry.expiry;
      data.routes = routes.routes;
      data.migration = routes.routes.flatMap((r) => (r.migration ? r.migration.callers.map((c) => ({ route: r.route, ...c })) : []));
      byId('expiry-warning-days').textContent = text(partners.expiryWarningDays);
      options(byId('refusals-reason'), data.refusals.map((r) => r.reason));
      options(byId('refusals-policy'), data.refusals.map((r) => r.policy));
      Object.keys(tables).forEach(render);
      showConfig(config);
      byId('refreshed').textContent = `updated ${time(new Date().toISOString())}, every ${refreshMs / 1000} s`;
      document.body.dataset.loaded = 'true';
    } catch (error) {
      byId('refreshed').textContent = `refresh failed: ${error.message}`;
    } finally {
      setTimeout(refresh, refreshMs);
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    Object.keys(tables).forEach((name) => {
      const filter = byId(`${name}-filter`);
      if (filter) filter.addEventListener('input', () => render(name));
    });
    ['refusals-reason', 'refusals-policy'].forEach((id) => byId(id).addEventListener('change', () => render('refusals')));
    refresh();
  });
})();
