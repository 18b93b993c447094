// The API docs page: Swagger UI from swagger-ui-dist (npm), started without inline script.
(function () {
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  var token = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  // a signed-in browser calls the API with its session, which needs the CSRF token
  config.requestInterceptor = function (request) {
    if (token) { request.headers["X-CSRFToken"] = token; }
    return request;
  };
  window.ui = SwaggerUIBundle(config);
})();
