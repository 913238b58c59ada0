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
   (#pw-nearby, #pw-near-mark), already in the page's language.

   The same estimate, distance and mark serve the compact banner (compact.html: the
   nearest of the hidden [data-pw-candidates] cities replaces the banner's city, its
   button's counted link and accessible text) and the upcoming list (upcoming.html: each
   event's chips nearest first, the nearest marked). */
(function () {
  "use strict";
  var zones = window.pauseaiZones || {};
  var markTemplate = document.getElementById("pw-near-mark");
  if (!markTemplate) return;

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

  // A city that still takes place (a cancelled or moved-online one is never "nearest").
  function active(row) {
    var status = row.getAttribute("data-status");
    return status !== "cancelled" && status !== "moved_online";
  }

  function newMark() { return markTemplate.content.firstElementChild.cloneNode(true); }

  // The mark, after a space (so that text and accessible names read "Name closest to you"),
  // inserted in ``parent`` before ``next`` (null: at its end).
  function putMark(parent, next) {
    parent.insertBefore(document.createTextNode(" "), next);
    parent.insertBefore(newMark(), next);
  }

  // The single-event widget (embed.html): countries and cities nearest first.
  function widget() {
    var places = document.querySelector(".places");
    var box = document.getElementById("pw-nearby");
    if (!places || !box) return;
    var language = document.documentElement.lang || undefined;
    var reach = parseFloat(places.getAttribute("data-reach-km"));
    var panel = box.content.firstElementChild.cloneNode(true);
    var note = panel.querySelector(".near-note");
    var far = panel.querySelector(".far");
    var button = panel.querySelector("button.locate");
    var shown = false;

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
          if (active(row) && distance < Infinity && (!nearest || distance < nearest.distance)) {
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
      city.parentNode.insertBefore(newMark(), city.nextSibling);
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
  }

  // Of ``rows``, the distance of each from the estimate (a Map) and the nearest active one.
  function measure(rows) {
    var distances = new Map();
    var nearest = null;
    rows.forEach(function (row) {
      var distance = distanceOf(row, estimate[0], estimate[1]);
      distances.set(row, distance);
      if (active(row) && distance < Infinity && (!nearest || distance < distances.get(nearest))) {
        nearest = row;
      }
    });
    return { distances: distances, nearest: nearest };
  }

  // The compact banner (compact.html): its city, button link and accessible text become
  // the nearest candidate's, marked. The candidates' names and links are the server's.
  function banner() {
    var list = document.querySelector("ul[data-pw-candidates]");
    var city = document.querySelector("[data-pw-city]");
    if (!list || !city) return;
    var nearest = measure(Array.prototype.slice.call(list.children)).nearest;
    if (!nearest) return;
    var name = nearest.textContent;
    city.textContent = name;
    putMark(city.parentNode, city.nextSibling);
    var action = document.querySelector("[data-pw-action]");
    if (action) action.setAttribute("href", nearest.getAttribute("data-href"));
    var actionCity = document.querySelector("[data-pw-action-city]");
    if (actionCity) actionCity.textContent = name;
    var label = document.querySelector("[data-pw-action-label]");
    if (label) label.textContent = nearest.getAttribute("data-label");
  }

  // The upcoming list (upcoming.html): each event's chips nearest first, the nearest marked
  // inside its chip (so the mark is part of the link's accessible name).
  function upcoming() {
    Array.prototype.forEach.call(document.querySelectorAll("ul.chips"), function (list) {
      var rows = Array.prototype.slice.call(list.children);
      var found = measure(rows);
      byDistance(rows, found.distances).forEach(function (row) { list.appendChild(row); });
      if (!found.nearest) return;
      found.nearest.setAttribute("data-nearest", "");
      var chip = found.nearest.querySelector(".chip");
      putMark(chip, chip.querySelector(".vh"));
    });
  }

  widget();
  if (estimate) {
    banner();
    upcoming();
  }
})();
