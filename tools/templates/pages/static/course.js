/* The course site's script (tools/site.py copies it to _static/course.js): the search box and the
   Contents button. Works opened from disk (file://) and from a web server: the search index is a
   script (_static/search-index.js sets window.COURSE_SEARCH), loaded with a <script> tag, not fetch().
   The index and MiniSearch (npm, pinned; _static/minisearch.js) load the first time the search is used. */
(function () {
  'use strict';
  var script = document.currentScript;
  var root = (script && script.getAttribute('data-root')) || '';
  var MAX_SHOWN = 8;
  document.documentElement.classList.add('course-js');

  // ---------------------------------------------------------------- loading the index
  var loading = null;
  var engine = null;
  var docs = null;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { reject(new Error('could not load ' + src)); };
      document.head.appendChild(s);
    });
  }

  // words as the index sees them: identifiers keep their underscores (zero_grad), and also give their parts
  var WORD = /[\p{L}\p{N}_]+/gu;
  function indexTokens(text) {
    var words = String(text).toLowerCase().match(WORD) || [];
    var out = [];
    words.forEach(function (w) {
      out.push(w);
      if (w.indexOf('_') >= 0) w.split('_').forEach(function (p) { if (p) out.push(p); });
    });
    return out;
  }
  function queryTokens(text) { return String(text).toLowerCase().match(WORD) || []; }

  function ready() {
    if (!loading) {
      loading = (window.MiniSearch ? Promise.resolve() : loadScript(root + '_static/minisearch.js'))
        .then(function () { return window.COURSE_SEARCH ? null : loadScript(root + '_static/search-index.js'); })
        .then(function () {
          docs = new Map();
          window.COURSE_SEARCH.docs.forEach(function (d) { docs.set(d.id, d); });
          engine = new window.MiniSearch({
            fields: ['section', 'page', 'prose', 'code'],
            tokenize: indexTokens,
            searchOptions: {
              tokenize: queryTokens,
              boost: {section: 3, page: 2, code: 1.2},
              combineWith: 'AND',
              prefix: function (term, i, terms) { return i === terms.length - 1 && term.length > 1; },
              fuzzy: function (term) { return term.length > 5 ? 0.2 : false; }
            }
          });
          engine.addAll(window.COURSE_SEARCH.docs);
        });
    }
    return loading;
  }

  function search(query) {
    if (!queryTokens(query).length) return [];
    return engine.search(query).map(function (r) { return {doc: docs.get(r.id), terms: r.terms}; });
  }

  // ---------------------------------------------------------------- showing results
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // `text` into `into`, with every occurrence of a term in <mark>
  function highlight(into, text, terms) {
    var words = terms.filter(Boolean).map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); });
    if (!words.length) { into.textContent = text; return; }
    var re = new RegExp('(' + words.join('|') + ')', 'gi');
    var last = 0;
    text.replace(re, function (m, _g, at) {
      into.appendChild(document.createTextNode(text.slice(last, at)));
      into.appendChild(el('mark', '', m));
      last = at + m.length;
      return m;
    });
    into.appendChild(document.createTextNode(text.slice(last)));
  }

  // a short extract around the first term found: prose first, then code
  function snippet(doc, terms) {
    var fields = [['prose', doc.prose || ''], ['code', doc.code || '']];
    for (var f = 0; f < fields.length; f++) {
      var text = fields[f][1];
      var lower = text.toLowerCase();
      for (var t = 0; t < terms.length; t++) {
        var at = lower.indexOf(terms[t]);
        if (at >= 0) {
          var start = Math.max(0, at - 60), end = Math.min(text.length, at + terms[t].length + 100);
          var part = text.slice(start, end).replace(/\s+/g, ' ');
          return {kind: fields[f][0], text: (start > 0 ? '… ' : '') + part + (end < text.length ? ' …' : '')};
        }
      }
    }
    var first = (doc.prose || doc.code || '').replace(/\s+/g, ' ');
    return {kind: doc.prose ? 'prose' : 'code', text: first.slice(0, 160) + (first.length > 160 ? ' …' : '')};
  }

  function resultItem(hit, terms) {
    var li = el('li');
    var a = el('a');
    a.href = root + hit.doc.href;
    a.className = 'course-result';
    a.setAttribute('data-page', hit.doc.href.split('#')[0]);
    var where = hit.doc.kind === 'exercise' ? 'Exercise: ' + hit.doc.page : hit.doc.page;
    a.appendChild(el('span', 'course-result-where', where));
    a.appendChild(el('span', 'course-result-title', hit.doc.section || hit.doc.page));
    var s = snippet(hit.doc, terms);
    var span = el('span', 'course-result-snippet' + (s.kind === 'code' ? ' code' : ''));
    highlight(span, s.text, terms);
    a.appendChild(span);
    li.appendChild(a);
    return li;
  }

  function summary(n, query) {
    if (!n) return 'No results for “' + query + '”.';
    return n + (n === 1 ? ' result' : ' results') + ' for “' + query + '”.';
  }

  function terms(hits, query) {
    var all = queryTokens(query);
    hits.forEach(function (h) { (h.terms || []).forEach(function (t) { if (all.indexOf(t) < 0) all.push(t); }); });
    return all.sort(function (a, b) { return b.length - a.length; });
  }

  // ---------------------------------------------------------------- the box in the header
  function setUpBox(form) {
    var input = form.querySelector('input[type="search"]');
    var panel = form.querySelector('.course-search-panel');
    var list = panel.querySelector('ol');
    var summaryEl = panel.querySelector('.course-search-summary');
    var status = form.querySelector('[role="status"]');
    var timer = null;

    function close() { panel.hidden = true; }
    function open() { panel.hidden = false; }

    function run() {
      var query = input.value.trim();
      if (!query) { close(); status.textContent = ''; return; }
      ready().then(function () {
        if (input.value.trim() !== query) return;  // typed on meanwhile
        var hits = search(query);
        var shown = terms(hits, query);
        list.textContent = '';
        hits.slice(0, MAX_SHOWN).forEach(function (h) { list.appendChild(resultItem(h, shown)); });
        summaryEl.textContent = summary(hits.length, query);
        var more = panel.querySelector('.course-search-more');
        if (more) more.remove();
        if (hits.length > MAX_SHOWN) {
          more = el('a', 'course-search-more', 'All ' + hits.length + ' results');
          more.href = root + 'search.html?q=' + encodeURIComponent(query);
          panel.appendChild(more);
        }
        status.textContent = summary(hits.length, query);
        open();
      }, function (err) {
        list.textContent = '';
        summaryEl.textContent = 'The search is not available: ' + err.message + '.';
        status.textContent = summaryEl.textContent;
        open();
      });
    }

    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(run, 120); });
    input.addEventListener('focus', function () { ready().catch(function () {}); if (input.value.trim() && list.children.length) open(); });
    form.addEventListener('keydown', function (ev) {
      var links = Array.prototype.slice.call(panel.querySelectorAll('a'));
      var at = links.indexOf(document.activeElement);
      if (ev.key === 'Escape') { close(); input.focus(); ev.preventDefault(); }
      else if (ev.key === 'ArrowDown' && !panel.hidden && links.length) {
        links[Math.min(at + 1, links.length - 1)].focus(); ev.preventDefault();
      } else if (ev.key === 'ArrowUp' && at >= 0) {
        (at === 0 ? input : links[at - 1]).focus(); ev.preventDefault();
      }
    });
    document.addEventListener('click', function (ev) { if (!form.contains(ev.target)) close(); });
    form.addEventListener('focusout', function (ev) { if (ev.relatedTarget && !form.contains(ev.relatedTarget)) close(); });
    document.addEventListener('keydown', function (ev) {
      var t = ev.target;
      var typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if (ev.key === '/' && !typing && !ev.ctrlKey && !ev.metaKey && !ev.altKey) { input.focus(); ev.preventDefault(); }
    });
    return input;
  }

  // ---------------------------------------------------------------- search.html
  function setUpPage(page, input) {
    var query = (new URLSearchParams(window.location.search).get('q') || '').trim();
    var list = page.querySelector('ol');
    var summaryEl = page.querySelector('.course-search-summary');
    if (input && query) input.value = query;
    if (!query) { summaryEl.textContent = 'Type a word in the search box: a name from the code (zero_grad) or from the text.'; return; }
    ready().then(function () {
      var hits = search(query);
      var shown = terms(hits, query);
      list.textContent = '';
      hits.forEach(function (h) { list.appendChild(resultItem(h, shown)); });
      summaryEl.textContent = summary(hits.length, query);
    }, function (err) { summaryEl.textContent = 'The search is not available: ' + err.message + '.'; });
  }

  // ---------------------------------------------------------------- the Contents button (narrow screens)
  function setUpMenu(button) {
    var sidebar = document.getElementById(button.getAttribute('aria-controls'));
    if (!sidebar) return;
    button.addEventListener('click', function () {
      var open = !sidebar.classList.contains('course-open');
      sidebar.classList.toggle('course-open', open);
      button.setAttribute('aria-expanded', String(open));
      if (open) { var first = sidebar.querySelector('a'); if (first) first.focus(); }
    });
    sidebar.addEventListener('keydown', function (ev) {
      if (ev.key === 'Escape' && sidebar.classList.contains('course-open')) {
        sidebar.classList.remove('course-open');
        button.setAttribute('aria-expanded', 'false');
        button.focus();
      }
    });
  }

  function start() {
    var form = document.querySelector('form.course-search');
    var input = form ? setUpBox(form) : null;
    var page = document.querySelector('.course-search-page');
    if (page) setUpPage(page, input);
    var button = document.querySelector('.course-menu-button');
    if (button) setUpMenu(button);
    window.courseSearch = {ready: ready, search: function (q) { return ready().then(function () { return search(q); }); }};
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
