#!/bin/sh
npm install && npm start
