/* A stand-in for LINE's LIFF SDK (https://static.line-scdn.net/liff/edge/2/sdk.js), served by
 * the emulator at /emulator/liff/sdk.js. Only what the app uses: init (with the liff.state
 * round trip), isInClient, isLoggedIn, getIDToken, getDecodedIDToken, closeWindow, login.
 * The user is the one the emulator's chat page opened the LIFF URL for (/emulator/liff/open);
 * their ID token comes from /emulator/liff/session, signed by the emulator. */
(function () {
  "use strict";
  var me = document.currentScript;
  var base = me && me.src ? me.src.replace(/\/liff\/sdk\.js(\?.*)?$/, "") : "/emulator";
  var session = { idToken: null, liffId: null };

  function decode(token) {
    var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    while (part.length % 4) { part += "="; }
    var bytes = atob(part);
    var text = decodeURIComponent(Array.prototype.map.call(bytes, function (c) {
      return "%" + ("0" + c.charCodeAt(0).toString(16)).slice(-2);
    }).join(""));
    return JSON.parse(text);
  }

  function secondaryUrl(state) {
    // The endpoint URL is this page without liff.state; the state is a path and/or a query.
    var params = new URLSearchParams(location.search);
    params.delete("liff.state");
    var path = location.pathname.replace(/\/$/, "");
    var query = params.toString();
    var target = state.charAt(0) === "/" ? path + state : path + (state || "");
    if (query) { target += (target.indexOf("?") >= 0 ? "&" : "?") + query; }
    return target;
  }

  var liff = {
    id: null,
    init: function (config) {
      if (!config || !config.liffId) { return Promise.reject(new Error("liffId is necessary for liff.init()")); }
      liff.id = session.liffId = config.liffId;
      var state = new URLSearchParams(location.search).get("liff.state");
      if (state !== null) {
        location.replace(secondaryUrl(state));
        return new Promise(function () { /* the page is going away */ });
      }
      var url = base + "/liff/session?liff_id=" + encodeURIComponent(config.liffId);
      return fetch(url, { credentials: "include" })
        .then(function (response) { return response.ok ? response.json() : {}; })
        .then(function (data) { session.idToken = data.id_token || null; });
    },
    isInClient: function () { return true; },
    isLoggedIn: function () { return !!session.idToken; },
    getIDToken: function () { return session.idToken; },
    getDecodedIDToken: function () { return session.idToken ? decode(session.idToken) : null; },
    login: function () {
      throw new Error("Open this LIFF app from the emulator's chat page (/emulator/) to log in.");
    },
    closeWindow: function () {
      if (window.parent !== window) {
        window.parent.postMessage({ type: "liff.closeWindow" }, location.origin);
      } else {
        window.close();
      }
    },
    getOS: function () { return "web"; },
    getLanguage: function () { return navigator.language || "ja"; },
    getVersion: function () { return "2-emulator"; }
  };
  window.liff = liff;
})();
