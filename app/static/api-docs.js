// Starts Swagger UI on the API reference page (a file, so that the page's policy needs no
// inline script). Pages work without this file; this one says so in a <noscript>.
const target = document.getElementById("swagger-ui");
if (target && window.SwaggerUIBundle) {
  window.SwaggerUIBundle({
    url: target.dataset.openapiUrl,
    domNode: target,
    deepLinking: true,
    layout: "BaseLayout",
  });
}
