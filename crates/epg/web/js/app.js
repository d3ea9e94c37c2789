// js/app.js placeholder placeholder placeholder placeholder placeholder
