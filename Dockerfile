# tuskd: build and run on Debian 12.
FROM debian:12

WORKDIR /src
COPY . .
RUN tools/bootstrap.sh \
 && rm -rf build data \
 && cmake --preset release -DTUSKD_BUILD_TESTS=OFF \
 && cmake --build --preset release \
 && rm -rf /var/lib/apt/lists/*

VOLUME /data
EXPOSE 1080
ENTRYPOINT ["/src/build/release/bin/tuskd", "--host", "0.0.0.0", "--data-dir", "/data"]
