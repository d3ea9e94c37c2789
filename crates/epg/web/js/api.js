// js/api.js placeholder placeholder placeholder placeholder placeholder
