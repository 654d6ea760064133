/** Stylesheets imported by lazily loaded modules: Vite puts each in its own file, loaded with them. */
declare module "*.css";
