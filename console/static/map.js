// The offices map: every office's geofence (Leaflet), drawing and editing one (Geoman, for
// company-wide administrators), and "where would a request from here go?" on a click.
// Data comes from <script type="application/json" id="map-config"> (no inline code: CSP).
(function () {
  "use strict";
  var holder = document.getElementById("geofence-map");
  var configNode = document.getElementById("map-config");
  if (!holder || !configNode || !window.L) {
    return;
  }
  var config = JSON.parse(configNode.textContent);
  var texts = config.texts || {};
  var fenceInput = document.getElementById("geofence-input");
  var fenceStatus = document.getElementById("fence-status");
  var routeStatus = document.getElementById("route-status");

  L.Icon.Default.imagePath = holder.getAttribute("data-images");
  var map = L.map(holder, { zoomControl: true });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(map);
  }

  var bounds = L.latLngBounds([]);
  var selectedLayer = null;
  config.offices.forEach(function (office) {
    if (!office.geofence) {
      return;
    }
    var selected = office.id === config.selectedId;
    var group = L.geoJSON(office.geofence, {
      pmIgnore: !selected,
      style: function () {
        return {
          color: selected ? "#b42318" : office.active ? "#0b5cad" : "#4a5360",
          weight: selected ? 3 : 2,
          fillOpacity: 0.15,
          dashArray: office.active ? null : "6 4"
        };
      }
    });
    group.eachLayer(function (layer) {
      // Leaflet puts a string tooltip in as HTML: the office's code and name go in as text.
      var label = document.createElement("span");
      label.textContent = office.code + " · " + office.name;
      layer.bindTooltip(label, { sticky: true });
      if (selected) {
        selectedLayer = layer;
      }
    });
    group.addTo(map);
    bounds.extend(group.getBounds());
  });

  if (selectedLayer) {  // editing one office: show it close up
    map.fitBounds(selectedLayer.getBounds(), { padding: [48, 48], maxZoom: 17 });
  } else if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  } else {
    map.setView([config.home.lat, config.home.lon], config.home.zoom);
  }

  function writeFence(layer, message) {
    if (!fenceInput) {
      return;
    }
    fenceInput.value = JSON.stringify(layer.toGeoJSON().geometry);
    if (fenceStatus && message) {
      fenceStatus.textContent = message;
    }
  }

  var drawing = false;
  if (config.editable && map.pm) {
    if (texts.geoman) {  // Geoman's own words, in the reader's language
      map.pm.setLang("console", texts.geoman, "en");
    }
    map.pm.setGlobalOptions({ allowSelfIntersection: false, snappable: true });
    map.pm.addControls({
      position: "topleft",
      drawMarker: false, drawCircleMarker: false, drawPolyline: false, drawRectangle: false,
      drawPolygon: true, drawCircle: false, drawText: false, editMode: false, dragMode: false,
      cutPolygon: false, removalMode: false, rotateMode: false
    });
    // Geoman's toolbar buttons are icon-only links: give them the name their tooltip shows.
    holder.querySelectorAll(".leaflet-buttons-control-button").forEach(function (button) {
      var container = button.closest("[title]");
      if (!button.getAttribute("aria-label")) {
        button.setAttribute("aria-label", container ? container.getAttribute("title") : texts.draw);
      }
    });
    var drawn = null;
    if (selectedLayer) {
      selectedLayer.pm.enable({ allowSelfIntersection: false });
      selectedLayer.on("pm:edit", function () { writeFence(selectedLayer, texts.changed); });
    }
    map.on("pm:drawstart", function () { drawing = true; });
    map.on("pm:drawend", function () {
      // The click that closes a polygon also reaches the map: stay "drawing" until it has passed.
      window.setTimeout(function () { drawing = false; }, 0);
    });
    map.on("pm:create", function (event) {
      if (drawn) {
        map.removeLayer(drawn);
      }
      if (selectedLayer) {  // the new polygon replaces the selected office's fence
        selectedLayer.pm.disable();
        map.removeLayer(selectedLayer);
        selectedLayer = null;
      }
      drawn = event.layer;
      drawn.setStyle({ color: "#b42318", weight: 3 });
      writeFence(drawn, texts.drawn);
      drawn.pm.enable({ allowSelfIntersection: false });
      drawn.on("pm:edit", function () { writeFence(drawn, texts.changed); });
    });
  }

  // Where would a request from the clicked point go? Asked of the service, as the API's route preview.
  var pointMarker = null;
  map.on("click", function (event) {
    if (drawing || (map.pm && map.pm.globalDrawModeEnabled && map.pm.globalDrawModeEnabled())) {
      return;
    }
    var lat = event.latlng.lat.toFixed(6);
    var lon = L.Util.wrapNum(event.latlng.lng, [-180, 180], true).toFixed(6);
    if (pointMarker) {
      pointMarker.setLatLng(event.latlng);
    } else {
      pointMarker = L.circleMarker(event.latlng, { radius: 6, color: "#1b1f24", weight: 2, fillOpacity: 0.8,
                                                  interactive: false, pmIgnore: true }).addTo(map);
    }
    var prefix = (texts.point || "").replace("{lat}", lat).replace("{lon}", lon);
    routeStatus.textContent = prefix + "…";
    var url = config.routeUrl + "?lat=" + encodeURIComponent(lat) + "&lon=" + encodeURIComponent(lon);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        routeStatus.textContent = prefix + answer.text;
        routeStatus.setAttribute("data-office", answer.office ? answer.office.code : "");
      })
      .catch(function () { routeStatus.textContent = prefix + texts.failed; });
  });
})();
