/* The visitor's nearest city first, worked out on their device and never sent anywhere.

   Where the visitor is comes from the time zone the browser reports
   (Intl.DateTimeFormat().resolvedOptions().timeZone), looked up in zones.js (generated
   from the tz database: zone -> its city's coordinates), or, when the embedder allowed it
   (the page then holds a "use my location" button) and the visitor clicks, from the
   browser's geolocation. Cities carry their coordinates as data-lat/data-lon; this orders
   the countries by their nearest city and the cities within each by distance, marks the
   nearest city that still takes place, and, when the event sets a reach (data-reach-km)
   and that city is farther, says where it is and offers the organize link. This script
   makes no request and stores nothing: the estimate lives in this page's memory only.
   Without JavaScript the server's order stays. Its words come from the page's templates
   (#pw-nearby, #pw-near-mark), already in the page's language. */
(function () {
  "use strict";
  var places = document.querySelector(".places");
  var box = document.getElementById("pw-nearby");
  var markTemplate = document.getElementById("pw-near-mark");
  if (!places || !box || !markTemplate) return;
  var zones = window.pauseaiZones || {};
  var language = document.documentElement.lang || undefined;
  var reach = parseFloat(places.getAttribute("data-reach-km"));
  var panel = box.content.firstElementChild.cloneNode(true);
  var note = panel.querySelector(".near-note");
  var far = panel.querySelector(".far");
  var button = panel.querySelector("button.locate");
  var shown = false;

  function radians(degrees) { return degrees * Math.PI / 180; }

  // Great-circle distance in kilometres (haversine, mean earth radius).
  function km(lat1, lon1, lat2, lon2) {
    var dp = radians(lat2 - lat1);
    var dl = radians(lon2 - lon1);
    var a = Math.sin(dp / 2) * Math.sin(dp / 2) +
      Math.cos(radians(lat1)) * Math.cos(radians(lat2)) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * 6371 * Math.asin(Math.sqrt(Math.min(1, a)));
  }

  function distanceOf(row, lat, lon) {
    var rowLat = parseFloat(row.getAttribute("data-lat"));
    var rowLon = parseFloat(row.getAttribute("data-lon"));
    if (isNaN(rowLat) || isNaN(rowLon)) return Infinity;
    return km(lat, lon, rowLat, rowLon);
  }

  function byDistance(items, distances) {
    // Array sort is stable: rows without coordinates keep the server's order, last.
    return items.slice().sort(function (a, b) { return distances.get(a) - distances.get(b); });
  }

  function show() {
    if (shown) return;
    shown = true;
    places.parentNode.insertBefore(panel, places);
  }

  function fill(element, text, slots) {
    // The translated sentence with its %(name)s-style slots as text nodes: no markup.
    element.textContent = "";
    text.split(/(\{\w+\})/).forEach(function (part) {
      var name = /^\{(\w+)\}$/.exec(part);
      element.appendChild(document.createTextNode(name && name[1] in slots ? slots[name[1]] : part));
    });
  }

  function order(lat, lon, how) {
    var distances = new Map();
    var countries = Array.prototype.slice.call(places.querySelectorAll(".country"));
    var nearest = null;
    countries.forEach(function (country) {
      var list = country.querySelector("ul");
      var rows = Array.prototype.slice.call(list.children);
      var best = Infinity;
      rows.forEach(function (row) {
        var distance = distanceOf(row, lat, lon);
        distances.set(row, distance);
        best = Math.min(best, distance);
        var status = row.getAttribute("data-status");
        var active = status !== "cancelled" && status !== "moved_online";
        if (active && distance < Infinity && (!nearest || distance < nearest.distance)) {
          nearest = { row: row, distance: distance };
        }
      });
      distances.set(country, best);
      byDistance(rows, distances).forEach(function (row) { list.appendChild(row); });
    });
    byDistance(countries, distances).forEach(function (country) { places.appendChild(country); });

    Array.prototype.forEach.call(places.querySelectorAll(".near"), function (old) {
      old.parentNode.removeChild(old);
    });
    Array.prototype.forEach.call(places.querySelectorAll("[data-nearest]"), function (old) {
      old.removeAttribute("data-nearest");
    });
    if (!nearest) return;
    nearest.row.setAttribute("data-nearest", "");
    var city = nearest.row.querySelector(".city");
    city.parentNode.insertBefore(markTemplate.content.firstElementChild.cloneNode(true), city.nextSibling);
    note.textContent = box.getAttribute(how === "position" ? "data-position" : "data-zone");
    if (reach > 0 && nearest.distance > reach) {
      var rounded = Math.round(nearest.distance / 10) * 10;
      fill(far.querySelector(".far-text"), box.getAttribute("data-far"), {
        city: city.textContent,
        distance: new Intl.NumberFormat(language).format(rounded)
      });
      far.hidden = false;
    } else {
      far.hidden = true;
    }
    show();
  }

  // zones.js: per region (the zone up to its last "/"), "NAME LAT LON" in tenths of a degree.
  function place(zone) {
    var cut = zone.lastIndexOf("/");
    var region = cut < 0 ? "" : zone.slice(0, cut);
    if (!zone || !Object.prototype.hasOwnProperty.call(zones, region)) return null;
    var entries = zones[region].split(",");
    for (var i = 0; i < entries.length; i++) {
      var fields = entries[i].split(" ");
      if (fields[0] === zone.slice(cut + 1)) return [fields[1] / 10, fields[2] / 10];
    }
    return null;
  }

  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* none */ }
  var estimate = place(zone);
  if (estimate) order(estimate[0], estimate[1], "zone");

  if (button && navigator.geolocation) {
    show();
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (position) {
        button.disabled = false;
        order(position.coords.latitude, position.coords.longitude, "position");
      }, function () {
        button.disabled = false;
        note.textContent = box.getAttribute("data-unavailable");
      }, { maximumAge: 600000, timeout: 15000 });
    });
  } else if (button) {
    button.parentNode.removeChild(button);
  }
})();
