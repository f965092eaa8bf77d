// Record observation: a click on the map fills in the place's latitude and longitude.
// The map's <svg> carries its projection (charts.map_svg): lon = centre_lon + (x - w/2) / kx,
// lat = centre_lat - (y - h/2) / ky, in the SVG's own coordinates.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const svg = document.querySelector("#pick-map svg#incident-map");
  const lat = document.querySelector("input[name=lat]");
  const lon = document.querySelector("input[name=lon]");
  if (!svg || !lat || !lon) {
    return;
  }
  const number = (name) => Number(svg.dataset[name]);
  const box = svg.viewBox.baseVal;
  let marker = null;
  svg.addEventListener("click", (event) => {
    event.preventDefault();
    const point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    const p = point.matrixTransform(svg.getScreenCTM().inverse());
    const picked = {
      lon: number("centreLon") + (p.x - box.width / 2) / number("kx"),
      lat: number("centreLat") - (p.y - box.height / 2) / number("ky"),
    };
    lat.value = picked.lat.toFixed(4);
    lon.value = picked.lon.toFixed(4);
    if (marker === null) {
      marker = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      marker.setAttribute("id", "picked");
      marker.setAttribute("r", "6");
      marker.setAttribute("fill", "none");
      marker.setAttribute("stroke", "#a4262c");
      marker.setAttribute("stroke-width", "2");
      svg.appendChild(marker);
    }
    marker.setAttribute("cx", p.x);
    marker.setAttribute("cy", p.y);
  });
  svg.dataset.ready = "pick"; // the map now takes clicks (tests and users can wait for it)
  svg.style.cursor = "crosshair";
});
