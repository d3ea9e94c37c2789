// js/details.js placeholder placeholder placeholder placeholder placeholder
