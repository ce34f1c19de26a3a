// The configuration page Journey Builder shows the marketer (inside its iframe). It talks to Journey Builder through
// Postmonger: "ready" on load; "initActivity" brings the activity's JSON; the page shows the action's in-arguments
// (data bindings read-only, per-journey values as inputs), and on Done (or Journey Builder's "clickedNext") writes the
// values into arguments.execute.inArguments, marks the activity configured and sends "updateActivity". No inline
// script (the page's CSP allows scripts from this origin only); every text is set with textContent.
(function () {
  'use strict';

  var model = JSON.parse(document.getElementById('activity-model').textContent);
  var connection = new Postmonger.Session();
  var activity = null;
  var inputs = {};

  function currentValues(act) {
    var values = {};
    var list = (((act || {}).arguments || {}).execute || {}).inArguments || [];
    list.forEach(function (item) {
      Object.keys(item || {}).forEach(function (key) { values[key] = item[key]; });
    });
    return values;
  }

  function render(values) {
    document.getElementById('title').textContent = model.label;
    document.getElementById('description').textContent = model.description || '';
    var container = document.getElementById('arguments');
    container.textContent = '';
    inputs = {};
    model.inArguments.forEach(function (arg) {
      var row = document.createElement('div');
      row.className = 'argument';
      row.setAttribute('data-argument', arg.name);
      var label = document.createElement('label');
      label.textContent = (arg.label || arg.name) + (arg.required ? ' *' : '');
      row.appendChild(label);
      if (arg.configurable) {
        var multiline = arg.dataType === 'Text' && arg.maxLength > 200 && !arg.secret;
        var input = document.createElement(multiline ? 'textarea' : 'input');
        if (!multiline) input.type = arg.secret ? 'password' : 'text';
        input.id = 'arg-' + arg.name;
        input.name = arg.name;
        input.maxLength = arg.maxLength;
        var existing = values[arg.name];
        input.value = existing !== undefined && existing !== null ? String(existing) : (arg['default'] || '');
        label.htmlFor = input.id;
        row.appendChild(input);
        inputs[arg.name] = input;
        if (arg.format === 'url') {
          var hint = document.createElement('div');
          hint.className = 'hint';
          hint.textContent = 'An https address on ' + model.allowedHosts.join(', ');
          row.appendChild(hint);
        }
      } else {
        var binding = document.createElement('div');
        binding.className = 'binding';
        binding.id = 'arg-' + arg.name;
        binding.textContent = arg.binding;
        row.appendChild(binding);
      }
      container.appendChild(row);
    });
  }

  function showError(text) {
    var error = document.getElementById('error');
    error.textContent = text;
    error.hidden = !text;
  }

  function save() {
    if (!activity) return;
    var missing = model.inArguments.filter(function (arg) {
      return arg.configurable && arg.required && !inputs[arg.name].value.trim();
    }).map(function (arg) { return arg.label || arg.name; });
    if (missing.length) {
      showError('Please fill in: ' + missing.join(', '));
      return;
    }
    showError('');
    activity.arguments = activity.arguments || {};
    activity.arguments.execute = activity.arguments.execute || {};
    activity.arguments.execute.inArguments = model.inArguments.map(function (arg) {
      var item = {};
      item[arg.name] = arg.configurable ? inputs[arg.name].value : arg.binding;
      return item;
    });
    activity.metaData = activity.metaData || {};
    activity.metaData.isConfigured = true;
    connection.trigger('updateActivity', activity);
    var status = document.getElementById('status');
    status.textContent = 'Saved.';
    status.hidden = false;
  }

  connection.on('initActivity', function (data) {
    activity = data || {};
    render(currentValues(activity));
  });
  connection.on('clickedNext', save);

  document.addEventListener('DOMContentLoaded', function () {
    render({});
    document.getElementById('form').addEventListener('submit', function (event) {
      event.preventDefault();
      save();
    });
    connection.trigger('ready');
  });
})();
