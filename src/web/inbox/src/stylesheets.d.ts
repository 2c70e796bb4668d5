/** Stylesheets a view imports for Vite to bundle; they export nothing. */
declare module '*.css'
