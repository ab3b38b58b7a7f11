extension Formats {
    /// Nil when `value` is a WGS84 point `{"lon": -180...180, "lat": -90...90}`: exactly those two
    /// members, both JSON numbers; otherwise why not.
    public static func geoPointProblem(_ value: JSONValue) -> String? {
        guard let object = value.objectValue else { return "must be an object {\"lon\": .., \"lat\": ..}" }
        let extra = object.keys.filter { $0 != "lon" && $0 != "lat" }.sorted()
        if !extra.isEmpty { return "unexpected member \(extra.map { "\"\($0)\"" }.joined(separator: ", ")); only lon and lat are allowed" }
        guard let lon = object["lon"]?.doubleValue, lon.isFinite else { return "lon must be a number" }
        guard let lat = object["lat"]?.doubleValue, lat.isFinite else { return "lat must be a number" }
        guard (-180.0...180.0).contains(lon) else { return "lon must be between -180 and 180" }
        guard (-90.0...90.0).contains(lat) else { return "lat must be between -90 and 90" }
        return nil
    }

    public static func isValidGeoPoint(_ value: JSONValue) -> Bool { geoPointProblem(value) == nil }
}
