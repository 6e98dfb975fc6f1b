/// The module's name space for what the web pages serve besides HTML.
public enum WebAssets {}
