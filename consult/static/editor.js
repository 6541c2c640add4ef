/* The GAP and initiatives editor: a formatting toolbar over a Squire editor, as progressive enhancement.
   Without JavaScript the textareas work as they are. With it, each textarea marked data-rich-text stays in
   the form, hidden, and receives the editor's HTML on every change; the server sanitises it again. */
(function () {
  "use strict";
  var ALLOWED = { P: [], B: [], I: [], STRONG: [], EM: [], UL: [], OL: [], LI: [], A: ["href"], BR: [] };
  var DROPPED = { SCRIPT: true, STYLE: true, TEMPLATE: true, IFRAME: true, OBJECT: true };

  function children(node) {
    return Array.prototype.slice.call(node.childNodes);
  }

  function clean(node) {
    children(node).forEach(function (child) {
      if (child.nodeType === Node.TEXT_NODE) return;
      if (child.nodeType !== Node.ELEMENT_NODE || DROPPED[child.nodeName]) {
        child.remove();
        return;
      }
      clean(child);
      var allowed = ALLOWED[child.nodeName];
      if (!allowed) {
        child.replaceWith.apply(child, children(child));
        return;
      }
      Array.prototype.slice.call(child.attributes).forEach(function (attribute) {
        var unsafe = attribute.name === "href" && !/^(https?:|mailto:)/i.test(attribute.value.trim());
        if (allowed.indexOf(attribute.name) < 0 || unsafe) child.removeAttribute(attribute.name);
      });
    });
  }

  function sanitiseToFragment(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    clean(template.content);
    return document.importNode(template.content, true);
  }

  function escapeText(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }

  /* Text typed without tags: one paragraph per block between blank lines, as the server reads it. */
  function asHtml(text) {
    if (/<[a-zA-Z\/!]/.test(text)) return text;
    return text
      .split(/\n\s*\n/)
      .map(function (block) { return block.trim(); })
      .filter(Boolean)
      .map(function (block) { return "<p>" + escapeText(block.replace(/\s+/g, " ")) + "</p>"; })
      .join(" ");
  }

  function storedHtml(editor) {
    return editor
      .getHTML()
      .replace(/<p><br><\/p>/g, "")
      .replace(/<br><\/(p|li)>/g, "</$1>")
      .trim();
  }

  var ACTIONS = {
    paragraph: function (editor) { editor.removeList(); },
    bold: function (editor) {
      if (editor.hasFormat("B")) editor.removeBold(); else editor.bold();
    },
    italic: function (editor) {
      if (editor.hasFormat("I")) editor.removeItalic(); else editor.italic();
    },
    list: function (editor) {
      if (editor.hasFormat("UL")) editor.removeList(); else editor.makeUnorderedList();
    },
    link: function (editor, button) {
      var address = window.prompt(button.getAttribute("data-prompt") || "URL", "https://");
      if (address && /^(https?:|mailto:)/i.test(address.trim())) editor.makeLink(address.trim());
    }
  };

  function enhance(textarea, toolbarTemplate) {
    var label = document.querySelector('label[for="' + textarea.id + '"]');
    var box = document.createElement("div");
    var surface = document.createElement("div");
    var toolbar = toolbarTemplate.content.firstElementChild.cloneNode(true);
    box.className = "rich-editor";
    surface.className = "rich-editor-surface rich-text";
    surface.id = textarea.id + "-editor";
    surface.setAttribute("role", "textbox");
    surface.setAttribute("aria-multiline", "true");
    if (label) surface.setAttribute("aria-label", label.textContent.trim());
    if (textarea.getAttribute("aria-describedby")) {
      surface.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
    }
    toolbar.setAttribute("aria-controls", surface.id);
    box.appendChild(toolbar);
    box.appendChild(surface);
    textarea.parentNode.insertBefore(box, textarea);
    textarea.hidden = true;
    var editor = new window.Squire(surface, { blockTag: "P", sanitizeToDOMFragment: sanitiseToFragment });
    editor.setHTML(asHtml(textarea.value));
    editor.addEventListener("input", function () { textarea.value = storedHtml(editor); });
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) return;
      event.preventDefault();
      ACTIONS[button.getAttribute("data-action")](editor, button);
      textarea.value = storedHtml(editor);
      editor.focus();
    });
    if (label) label.addEventListener("click", function () { editor.focus(); });
    textarea.form.addEventListener("submit", function () { textarea.value = storedHtml(editor); });
  }

  function start() {
    var toolbarTemplate = document.getElementById("rich-editor-toolbar");
    if (!toolbarTemplate || !window.Squire || !("content" in toolbarTemplate)) return;
    document.querySelectorAll("textarea[data-rich-text]").forEach(function (textarea) {
      enhance(textarea, toolbarTemplate);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
