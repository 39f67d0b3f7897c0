// The globals every extension sees. Host calls go through __sxHost(op, json), which answers
// {"ok": value} or {"error": {"name": ..., "message": ...}}; errors become exceptions with that
// name so scripts can tell them apart in a catch block.
(function (global) {
  var host = global.__sxHost;
  var log = global.__sxLog;
  var maxChars = global.__sxMaxChars;

  function call(op, args) {
    var answer = JSON.parse(host(op, JSON.stringify(args === undefined ? null : args)));
    if (answer.error) {
      var e = new Error(answer.error.message);
      e.name = answer.error.name;
      throw e;
    }
    return answer.ok;
  }

  function hidden(name, value) {
    Object.defineProperty(global, name, { value: value, writable: false, enumerable: false, configurable: false });
  }

  function guard(proto, name, length) {
    var original = proto[name];
    Object.defineProperty(proto, name, {
      value: function () {
        if (length(this, arguments) > maxChars) {
          throw new RangeError(name + ': the result would exceed the memory limit of extensions');
        }
        return original.apply(this, arguments);
      },
      writable: true, configurable: true, enumerable: false
    });
  }
  guard(String.prototype, 'repeat', function (s, a) { return String(s).length * Number(a[0]); });
  guard(String.prototype, 'padStart', function (s, a) { return Number(a[0]); });
  guard(String.prototype, 'padEnd', function (s, a) { return Number(a[0]); });
  guard(Array.prototype, 'fill', function (s, a) { return s.length; });

  hidden('console', {
    log: function (message, options) {
      log(String(message), !!(options && options.showConfidential));
    }
  });

  hidden('html', {
    escape: function (value) {
      return String(value === undefined || value === null ? '' : value)
        .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    }
  });

  hidden('store', {
    retrieveValue: function (store, key) { return call('store.value', [String(store), String(key)]); },
    retrievePairs: function (store) { return call('store.pairs', [String(store)]); }
  });

  hidden('artifacts', {
    retrieveArtifact: function (relationship) { return call('artifacts.retrieve', [relationship]); },
    listSearchTypes: function () { return call('artifacts.searchTypes'); },
    getSearchDefinition: function (type) { return call('artifacts.searchDefinition', [String(type)]); },
    search: function (type, definition) { return call('artifacts.search', [String(type), definition]); },
    getFormattedIdSearchDefinition: function () { return call('artifacts.formattedIdDefinition'); },
    searchByFormattedId: function (definition) { return call('artifacts.searchByFormattedId', [definition]); },
    toContainer: function (relationship, summary) { return call('artifacts.toContainer', [relationship, summary === undefined ? null : String(summary)]); },
    toRelationship: function (container) { return call('artifacts.toRelationship', [container]); },
    getAssociatedRelationship: function (relationship) { return call('artifacts.associatedRelationship', [relationship]); },
    getAssociatedContainer: function (container) { return call('artifacts.associatedContainer', [container]); }
  });

  hidden('persons', {
    listPersonSearchFields: function () { return call('persons.searchFields'); },
    searchPerson: function (field, value) { return call('persons.search', [String(field), String(value)]); }
  });

  hidden('ldap', {
    connect: function (url, principal, password) { call('ldap.connect', [String(url), principal == null ? '' : String(principal), password == null ? '' : String(password)]); },
    search: function (base, query, fields) { return call('ldap.search', [String(base), String(query), fields ? Array.prototype.map.call(fields, String) : null]); },
    escape: function (value) { return call('ldap.escape', [String(value)]); }
  });

  function Response(r) { this._r = r; }
  Response.prototype.statusCode = function () { return this._r.status; };
  Response.prototype.content = function () { return this._r.content; };
  Response.prototype.headers = function () { return this._r.headers; };

  function Request(spec) { this._spec = spec; }
  Request.prototype.response = function () { return new Response(call('http.send', [this._spec])); };

  function Builder() { this._spec = { uri: null, parameters: [], headers: [], proxy: null }; }
  Builder.prototype.uri = function (u) { this._spec.uri = String(u); return this; };
  Builder.prototype.parameter = function (k, v) { this._spec.parameters.push([String(k), String(v)]); return this; };
  Builder.prototype.header = function (k, v) { this._spec.headers.push([String(k), String(v)]); return this; };
  Builder.prototype.proxy = function (host, port, user, password) {
    this._spec.proxy = { host: String(host), port: Number(port),
      username: user === undefined || user === null ? null : String(user),
      password: password === undefined || password === null ? null : String(password) };
    return this;
  };
  function method(name, withBody) {
    return function (body) {
      var spec = JSON.parse(JSON.stringify(this._spec));
      spec.method = name;
      if (withBody && body !== undefined && body !== null) {
        spec.body = typeof body === 'string' ? body : JSON.stringify(body);
      }
      return new Request(spec);
    };
  }
  Builder.prototype.GET = method('GET', false);
  Builder.prototype.DELETE = method('DELETE', false);
  Builder.prototype.POST = method('POST', true);
  Builder.prototype.PUT = method('PUT', true);

  hidden('httpClient', { request: function () { return new Builder(); } });
})(this);
